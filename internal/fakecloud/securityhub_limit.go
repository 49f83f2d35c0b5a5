package fakecloud

import "time"

// shLimit is a request quota: a sustained rate and a burst. AWS allows
// BatchImportFindings 10 requests per second with bursts of 30 per account
// and region; the fake cloud is unlimited unless a test asks for a quota.
type shLimit struct {
	perSecond float64
	burst     int
}

// shBucket is the token bucket of one hub, refilled by the cloud's clock
// so that tests with a controlled clock see exact behaviour.
type shBucket struct {
	tokens float64
	last   time.Time
	primed bool
}

// take spends one token, reporting false when the quota is exhausted.
func (b *shBucket) take(l shLimit, now time.Time) bool {
	if l.perSecond <= 0 {
		return true
	}
	burst := float64(max(l.burst, 1))
	if !b.primed {
		b.tokens, b.last, b.primed = burst, now, true
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(burst, b.tokens+elapsed*l.perSecond)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// LimitImports puts a quota on BatchImportFindings per account and region:
// perSecond sustained with bursts of burst calls, beyond which calls fail
// with LimitExceededException (HTTP 429), as AWS throttles them. A rate of
// zero removes the quota. Use it to test that importers back off.
func (c *Cloud) LimitImports(perSecond float64, burst int) {
	s := c.securityhub
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit = shLimit{perSecond: perSecond, burst: burst}
	for _, h := range s.hubs {
		h.bucket = shBucket{}
	}
}
