package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"portal/forms"
	"portal/templates/words"
)

const usersUsage = `Usage:
  portal users invite --email E --org CODE --role focal_point|contributor [--days N]
  portal users grant  --email E --role analyst|commission|admin [--days N]
  portal users revoke --email E --role ROLE [--org CODE]
  portal users list

invite and grant record an invitation: the role is given when someone signs in
with an identity whose verified e-mail address is E (at once, if such a user
exists). revoke removes the role and revokes open invitations for it. CODE is
an ISO 3166 alpha-3 code for a State (AUT, KEN) or an organization's short
code (UNTOURISM, EU).
`

// usersCommand runs `portal users ...` and returns the exit code.
func usersCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usersUsage)
		return 0
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("portal users "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail address")
	org := fs.String("org", "", "organization code")
	role := fs.String("role", "", "role")
	days := fs.Int("days", 14, "days the invitation stays open")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "portal users %s: unexpected argument %q\n\n%s", sub, fs.Arg(0), usersUsage)
		return 2
	}
	ctx := context.Background()
	db, log, ok := openForCommand(ctx, getenv, stderr)
	if !ok {
		return 1
	}
	defer db.Close(log)
	actor := forms.Actor{Label: "cli"}
	if u, err := user.Current(); err == nil {
		actor.Label = "cli:" + u.Username
	}
	lifetime := time.Duration(*days) * 24 * time.Hour
	var err error
	switch sub {
	case "invite", "grant":
		r, ok := forms.ParseRole(*role)
		if !ok || (sub == "grant") == r.ForOrganization() {
			err = fmt.Errorf("--role %q: %s takes %s", *role, sub, map[bool]string{true: "focal_point or contributor", false: "analyst, commission or admin"}[sub == "invite"])
			break
		}
		err = inviteCLI(ctx, db, *email, r, *org, lifetime, actor, stdout)
	case "revoke":
		err = revokeCLI(ctx, db, *email, forms.Role(*role), *org, actor, stdout)
	case "list":
		err = listUsers(ctx, db, stdout)
	default:
		fmt.Fprintf(stderr, "portal users: unknown command %q\n\n%s", sub, usersUsage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "portal users %s: %s\n", sub, userMessage(err))
		return 1
	}
	return 0
}

// flagOf names the command-line flag of each field of a forms error.
var flagOf = map[string]string{"email": "--email", "role": "--role", "organization": "--org"}

// userMessage says what went wrong in words for the command line: for a
// mistake of the user, the domain's message (field messages in English from
// the interface catalogue), never the internals behind it.
func userMessage(err error) string {
	var fe *forms.Error
	if !errors.As(err, &fe) || fe.Kind == forms.KindInternal || fe.Kind == forms.KindUnavailable {
		return err.Error()
	}
	if len(fe.Fields) == 0 {
		return fe.Message
	}
	english := englishMessages()
	var parts []string
	for field, code := range fe.Fields {
		msg := code
		if m, ok := english["field."+code]; ok {
			msg = m["other"]
		}
		parts = append(parts, flagOf[field]+": "+msg)
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// englishMessages are the English interface catalogue's messages.
func englishMessages() map[string]words.Message {
	cat, err := words.Load()
	if err != nil {
		return nil // the catalogue test keeps it valid; without it, codes are shown
	}
	return cat.Messages(forms.English)
}

func organizationRef(ctx context.Context, db *database, code string) (forms.OrganizationRef, error) {
	if code == "" {
		return forms.OrganizationRef{}, nil
	}
	o, err := db.OrganizationByCode(ctx, strings.ToUpper(code))
	if forms.KindOf(err) == forms.KindNotFound {
		return forms.OrganizationRef{}, fmt.Errorf("--org %q: no such organization (an ISO alpha-3 code such as AUT, or a short code such as UNTOURISM)", code)
	}
	if err != nil {
		return forms.OrganizationRef{}, err
	}
	return forms.OrganizationRef{ID: o.ID, Code: o.Code, Name: o.Name}, nil
}

func inviteCLI(ctx context.Context, db *database, email string, role forms.Role, code string, lifetime time.Duration, actor forms.Actor, out io.Writer) error {
	org, err := organizationRef(ctx, db, code)
	if err != nil {
		return err
	}
	inv, err := forms.NewInvitation(email, role, org, time.Now(), lifetime)
	if err != nil {
		return err
	}
	stored, err := db.CreateInvitation(ctx, inv, actor)
	if err != nil {
		return err
	}
	if !stored.AcceptedAt.IsZero() {
		fmt.Fprintf(out, "%s now holds the role %s%s (the user existed already).\n", stored.Email, role, orgSuffix(stored.Organization))
		return nil
	}
	fmt.Fprintf(out, "Invited %s as %s%s, open until %s.\n", stored.Email, role, orgSuffix(stored.Organization), stored.ExpiresAt.UTC().Format("2006-01-02 15:04 UTC"))
	return nil
}

func orgSuffix(o forms.OrganizationRef) string {
	if o.Code == "" {
		return ""
	}
	return " of " + o.Code
}

func revokeCLI(ctx context.Context, db *database, email string, role forms.Role, code string, actor forms.Actor, out io.Writer) error {
	addr, err := forms.NormalizeEmail(email)
	if err != nil {
		return fmt.Errorf("--email %q is not an e-mail address", email)
	}
	if _, ok := forms.ParseRole(string(role)); !ok {
		return fmt.Errorf("--role %q: one of focal_point, contributor, analyst, commission, admin", role)
	}
	org, err := organizationRef(ctx, db, code)
	if err != nil {
		return err
	}
	if role.ForOrganization() && org.ID == 0 {
		return fmt.Errorf("--org is needed with --role %s", role)
	}
	done := 0
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		if !strings.EqualFold(u.Email, addr) {
			continue
		}
		err := db.RemoveMembership(ctx, u.ID, role, org.ID, actor)
		if err == nil {
			fmt.Fprintf(out, "Removed the role %s%s from %s.\n", role, orgSuffix(org), u.Label())
			done++
		} else if forms.KindOf(err) != forms.KindNotFound {
			return err
		}
	}
	invs, err := db.Invitations(ctx, org.ID)
	if err != nil {
		return err
	}
	now := time.Now()
	for _, inv := range invs {
		if inv.Email == addr && inv.Role == role && inv.Organization.ID == org.ID && inv.State(now) == forms.InvitationPending {
			if _, err := db.RevokeInvitation(ctx, inv.ID, actor); err != nil {
				return err
			}
			fmt.Fprintf(out, "Revoked the open invitation of %s as %s%s.\n", addr, role, orgSuffix(org))
			done++
		}
	}
	if done == 0 {
		return fmt.Errorf("%s holds no role %s%s and has no open invitation for it", addr, role, orgSuffix(org))
	}
	return nil
}

func listUsers(ctx context.Context, db *database, out io.Writer) error {
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tLAST SIGN-IN")
	for _, u := range users {
		var roles []string
		for _, m := range u.Memberships {
			roles = append(roles, string(m.Role)+orgSuffix(m.Organization))
		}
		last := "-"
		if !u.LastSignIn.IsZero() {
			last = u.LastSignIn.UTC().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Email, u.Name, strings.Join(roles, ", "), last)
	}
	tw.Flush()
	invs, err := db.Invitations(ctx, 0)
	if err != nil {
		return err
	}
	now := time.Now()
	fmt.Fprintln(out, "\nOpen invitations:")
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tOPEN UNTIL\tINVITED BY")
	for _, inv := range invs {
		if inv.State(now) == forms.InvitationPending {
			fmt.Fprintf(tw, "%s\t%s%s\t%s\t%s\n", inv.Email, inv.Role, orgSuffix(inv.Organization), inv.ExpiresAt.UTC().Format("2006-01-02"), inv.InvitedBy)
		}
	}
	return tw.Flush()
}
