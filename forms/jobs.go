package forms

import "time"

// Jobs: work the portal does later or elsewhere (mail, reminders, a
// report's release, periodic chores), kept in the database with the change
// that causes it, and done once.

// JobState is where a job is in its life.
type JobState string

// The states a person reading the queue meets.
const (
	JobPending   JobState = "pending"   // waiting for its time, or for a worker
	JobRunning   JobState = "running"   // being worked
	JobRetrying  JobState = "retrying"  // failed, to be tried again later
	JobFailed    JobState = "failed"    // failed every attempt, or for good
	JobDone      JobState = "done"      // done
	JobCancelled JobState = "cancelled" // cancelled before it was done
)

// Job is a job as the admins' page shows it.
type Job struct {
	ID          int64
	Kind        string
	State       JobState
	Attempt     int
	MaxAttempts int
	// Error is the last attempt's error, when it failed.
	Error       string
	CreatedAt   time.Time
	ScheduledAt time.Time // when it runs (again)
	FinalizedAt time.Time // when it was done, failed or cancelled; zero before
}
