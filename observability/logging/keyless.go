package logging

import "strings"

// Keyless credentials: keys and tokens that name themselves by a documented
// prefix, so that they are recognized wherever they stand in a string, under
// any key or none (an upstream's error message, a query string, a path):
//
//   - OpenAI: sk-proj-, sk-svcacct-, sk-admin- and 20 or more characters
//     after the prefix; a bare sk- (the legacy keys, 48 characters) with 40
//     or more;
//   - Anthropic: sk-ant- (sk-ant-api03-, sk-ant-admin01-, …) and 20 or more;
//   - GitHub: ghp_, gho_, ghu_, ghs_, ghr_ (36 characters after the prefix,
//     76 for ghr_) and github_pat_ (82), with 30 or more;
//   - Google API keys: AIza and 35 or more;
//   - Slack: xoxb-, xoxp-, xoxa-, xoxr-, xoxs- and 20 or more;
//   - Stripe secret and restricted keys: sk_live_, sk_test_, rk_live_,
//     rk_test_ and 20 or more (publishable pk_ keys are not secrets);
//   - AWS access key ids: AKIA or ASIA and exactly 16 upper-case letters or
//     digits, not followed by a letter or digit.
//
// The characters after the prefix are base64url ones ([A-Za-z0-9_-]), and
// the token is all of them: it ends at the first other byte. The prefix must
// start a word (no letter, digit, '_' or '-' right before it), as a JWT
// must, so that desk-top, task_live_… or sk-8 stay. The token is replaced
// whole by [Redacted].

// minKeyless is the length of the shortest keyless credential (an AWS
// access key id); a shorter string holds none.
const minKeyless = 20

// keylessAt matches a keyless credential at i and returns where it ends.
func keylessAt(s string, i int) (end int, ok bool) {
	if len(s)-i < minKeyless || i > 0 && isB64URL(s[i-1]) {
		return 0, false
	}
	t := s[i:] // at least minKeyless bytes
	var prefix, minBody int
	switch t[0] {
	case 's':
		switch {
		case t[1] == 'k' && t[2] == '-':
			prefix, minBody = 3, 40
			for _, p := range [...]string{"proj-", "svcacct-", "admin-", "ant-"} {
				if strings.HasPrefix(t[3:], p) {
					prefix, minBody = 3+len(p), 20
					break
				}
			}
		case strings.HasPrefix(t, "sk_live_") || strings.HasPrefix(t, "sk_test_"):
			prefix, minBody = 8, 20
		}
	case 'r':
		if strings.HasPrefix(t, "rk_live_") || strings.HasPrefix(t, "rk_test_") {
			prefix, minBody = 8, 20
		}
	case 'g':
		switch {
		case t[1] == 'h' && t[3] == '_' && strings.IndexByte("pousr", t[2]) >= 0:
			prefix, minBody = 4, 30
		case strings.HasPrefix(t, "github_pat_"):
			prefix, minBody = 11, 30
		}
	case 'x':
		if t[:3] == "xox" && t[4] == '-' && strings.IndexByte("bpars", t[3]) >= 0 {
			prefix, minBody = 5, 20
		}
	case 'A':
		switch t[:4] {
		case "AIza":
			prefix, minBody = 4, 35
		case "AKIA", "ASIA":
			for j := 4; j < 20; j++ {
				if !isUpperOrDigit(t[j]) {
					return 0, false
				}
			}
			if len(t) > 20 && (isUpperOrDigit(t[20]) || 'a' <= t[20] && t[20] <= 'z') {
				return 0, false
			}
			return i + 20, true
		}
	}
	if prefix == 0 {
		return 0, false
	}
	e := prefix
	for e < len(t) && isB64URL(t[e]) {
		e++
	}
	if e-prefix < minBody {
		return 0, false
	}
	return i + e, true
}

func isUpperOrDigit(c byte) bool { return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' }

// hasKeylessToken reports whether keylessAt matches anywhere in s. It looks
// only where a match can start, found with the vectorized byte search: at
// each 'A', and 2, 3, 4 or 6 bytes before each '-' or '_' (sk-, sk_live_,
// rk_…, gh?_, xox?-, github_).
func hasKeylessToken(s string) bool {
	if len(s) < minKeyless {
		return false
	}
	return keylessBefore(s, '-', 2, 4) || keylessBefore(s, '_', 2, 3, 6) || keylessBefore(s, 'A', 0)
}

// keylessBefore reports whether keylessAt matches at back bytes before an
// occurrence of c in s, for one of backs.
func keylessBefore(s string, c byte, backs ...int) bool {
	for from := 0; ; {
		k := strings.IndexByte(s[from:], c)
		if k < 0 {
			return false
		}
		p := from + k
		for _, b := range backs {
			if p >= b {
				if _, ok := keylessAt(s, p-b); ok {
					return true
				}
			}
		}
		from = p + 1
	}
}
