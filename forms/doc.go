// Package forms is the portal's domain: the organizations that answer calls
// for submissions and the UN regional groups they belong to, the people who
// sign in and their roles, questionnaires and their answers, and the error
// kinds every other layer speaks.
//
// It imports the standard library only: no HTTP, no SQL. The storage package
// implements it on PostgreSQL; the handlers package speaks HTTP in its terms.
package forms
