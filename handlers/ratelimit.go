package handlers

import (
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// rateLimiter allows each client address a burst of requests and then a
// steady rate. Limits are per process; behind a load balancer with N
// replicas a client gets up to N times the rate.
type rateLimiter struct {
	every time.Duration
	burst int

	mu      sync.Mutex
	clients map[string]*clientLimit
	swept   time.Time
}

type clientLimit struct {
	limiter *rate.Limiter
	seen    time.Time
}

func newRateLimiter(every time.Duration, burst int) *rateLimiter {
	return &rateLimiter{every: every, burst: burst, clients: map[string]*clientLimit{}}
}

// allow reports whether the client may make a request now, and if not, how long to wait.
func (l *rateLimiter) allow(client string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > 10*time.Minute { // forget clients idle long enough to be full again
		for k, c := range l.clients {
			if now.Sub(c.seen) > time.Duration(l.burst)*l.every {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c, ok := l.clients[client]
	if !ok {
		c = &clientLimit{limiter: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.clients[client] = c
	}
	c.seen = now
	r := c.limiter.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// limit answers 429 with the page that says so once the client has used its share.
func (s *Server) limit(l *rateLimiter) gin.HandlerFunc {
	return func(c *gin.Context) {
		ok, wait := l.allow(c.ClientIP(), time.Now())
		if ok {
			c.Next()
			return
		}
		secs := int(wait/time.Second) + 1
		s.renderError(c, &pageError{status: http.StatusTooManyRequests, title: "ratelimit.title", body: "ratelimit.body",
			count: secs, data: map[string]any{"Seconds": secs}, retryAfter: secs})
	}
}
