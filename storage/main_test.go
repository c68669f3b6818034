package storage_test

import (
	"testing"

	"portal/storage/storagetest"
)

func TestMain(m *testing.M) { storagetest.Main(m) }
