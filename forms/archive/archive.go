// Package archive reads the central directory of a zip archive (an office
// document, a workbook) without inflating anything or allocating per
// entry, so that what an upload would unpack to is bounded before any
// reader opens it. Standard library only.
package archive

import (
	"encoding/binary"
	"path"
	"strings"
)

// Listing is what Walk learns from a zip's central directory.
type Listing struct {
	// Entries are the parts the directory holds; for a directory that
	// declares more than Walk's limit, the number it declares.
	Entries  int
	Inflated uint64 // the parts' uncompressed sizes, added up
	Macros   bool   // a part that holds macros (see MacroPart)
}

// Walk walks a zip's central directory without allocating per entry (so
// that a directory of a million entries costs no memory), and says false
// when data is not a zip as archive/zip reads one: the end record names
// the directory, which must sit right before it and hold exactly the
// entries it declares. A directory that declares more than limit entries
// is not walked. Sizes of ZIP64 entries are read from their extra field.
func Walk(data []byte, limit int) (Listing, bool) {
	var l Listing
	const endLen = 22
	end := -1
	for i := len(data) - endLen; i >= 0 && i >= len(data)-endLen-0xffff; i-- {
		// As archive/zip does: the last record whose comment fits.
		if string(data[i:i+4]) == "PK\x05\x06" && i+endLen+int(binary.LittleEndian.Uint16(data[i+20:])) <= len(data) {
			end = i
			break
		}
	}
	if end < 0 {
		return l, false
	}
	count := uint64(binary.LittleEndian.Uint16(data[end+10:]))
	size := uint64(binary.LittleEndian.Uint32(data[end+12:]))
	offset := uint64(binary.LittleEndian.Uint32(data[end+16:]))
	dirEnd := uint64(end)
	if count == 0xffff || size == 0xffffffff || offset == 0xffffffff {
		// ZIP64: a locator right before the end record names the ZIP64 end record.
		loc := end - 20
		if loc < 0 || string(data[loc:loc+4]) != "PK\x06\x07" {
			return l, false
		}
		at := binary.LittleEndian.Uint64(data[loc+8:])
		if at > uint64(loc) || uint64(loc)-at < 56 || string(data[at:at+4]) != "PK\x06\x06" {
			return l, false
		}
		count = binary.LittleEndian.Uint64(data[at+32:])
		size = binary.LittleEndian.Uint64(data[at+40:])
		offset = binary.LittleEndian.Uint64(data[at+48:])
		dirEnd = at
	}
	if size > dirEnd || offset != dirEnd-size {
		return l, false // data before the archive, or a directory elsewhere
	}
	if count > uint64(limit) {
		l.Entries = int(min(count, 1<<30))
		return l, true
	}
	p, stop := offset, dirEnd
	for range count {
		if p+46 > stop || string(data[p:p+4]) != "PK\x01\x02" {
			return l, false
		}
		h := data[p : p+46]
		inflated := uint64(binary.LittleEndian.Uint32(h[24:]))
		nameLen := uint64(binary.LittleEndian.Uint16(h[28:]))
		extraLen := uint64(binary.LittleEndian.Uint16(h[30:]))
		commentLen := uint64(binary.LittleEndian.Uint16(h[32:]))
		next := p + 46 + nameLen + extraLen + commentLen
		if next > stop {
			return l, false
		}
		name := data[p+46 : p+46+nameLen]
		if inflated == 0xffffffff {
			// The ZIP64 extra field (0x0001) starts with the uncompressed size.
			extra := data[p+46+nameLen : p+46+nameLen+extraLen]
			found := false
			for len(extra) >= 4 {
				id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
				if 4+n > len(extra) {
					break
				}
				if id == 1 && n >= 8 {
					inflated, found = binary.LittleEndian.Uint64(extra[4:]), true
					break
				}
				extra = extra[4+n:]
			}
			if !found {
				return l, false
			}
		}
		l.Entries++
		l.Inflated += min(inflated, 1<<40)
		if MacroPart(string(name)) {
			l.Macros = true
		}
		p = next
	}
	if p != stop {
		return l, false // more entries than the end record declares
	}
	return l, true
}

// MacroPart reports whether a part of an office document holds macros: a
// VBA project (Office), or Basic or script libraries (OpenDocument).
func MacroPart(name string) bool {
	name = strings.ToLower(strings.ReplaceAll(name, "\\", "/"))
	return path.Base(name) == "vbaproject.bin" || strings.HasPrefix(name, "basic/") || strings.HasPrefix(name, "scripts/")
}
