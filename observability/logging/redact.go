package logging

import (
	"bytes"
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/footingdev/footing/observability/internal/userinfo"
)

// Redacted replaces every secret the handler finds.
const Redacted = "[REDACTED]"

// DefaultSecretKeys are the keys whose values are always redacted. A key matches
// when, lower-cased and stripped of '_', '-', '.' and spaces, it equals one of
// these, ends with one of [secretSuffixes] (db_password, github_token), or
// contains one of [secretWords] anywhere (aws_secret_access_key,
// password_confirmation, private_key_pem). Counts such as input_tokens or
// tokens_used match none of these.
var DefaultSecretKeys = []string{
	"password", "passwd", "pwd", "token", "accesstoken", "refreshtoken", "idtoken",
	"authorization", "proxyauthorization", "cookie", "setcookie", "apikey", "xapikey",
	"secret", "clientsecret", "privatekey", "credentials", "sessionid", "dsn",
	"sig", "phpsessid",
}

// secretSuffixes catch compound keys such as db_password, github_token,
// x-api-key or stripe_secret, plurals (cookies, api_keys), the keys of cloud
// connection strings and headers (AccountKey, SharedAccessKey,
// Ocp-Apim-Subscription-Key, X-Auth-Key), the signatures of signed URLs
// (X-Amz-Signature, X-Goog-Signature) and session ids (jsessionid).
var secretSuffixes = []string{"password", "secret", "token", "apikey", "apikeys", "cookie", "cookies", "authorization",
	"privatekey", "credential", "credentials", "signature", "sessionid",
	"accountkey", "sharedaccesskey", "subscriptionkey", "authkey"}

// secretWords make a key secret wherever they appear in it: secret_key,
// aws_secret_access_key, password_confirmation, private_key_pem, passphrase.
// "token" is not one of them: token_count and tokens_used are not secrets.
var secretWords = []string{"password", "passwd", "passphrase", "secret", "privatekey"}

// defaultRedactor redacts with DefaultSecretKeys alone, for [Redact].
var defaultRedactor = newRedactor(nil)

// Redact returns s with the credentials a [Handler] replaces inside strings:
// bearer and basic credentials, JWTs, the API keys and tokens that name
// themselves by a prefix (sk-proj-…, sk-ant-…, ghp_…, AIza…, xoxb-…,
// sk_live_…, AKIA…; see the package documentation), a URL's user info, and the values of
// key=value pairs, JSON members and header lines ("Key: value") whose key is
// a secret by [DefaultSecretKeys] and the rules that extend them; in text
// that holds URLs, a "Bearer …" right after a '/' too, and a key=value
// inside a URL's path up to the next '/' or '?' (see the package
// documentation). It is what package tracing and package instrument apply to the error
// messages they put on spans. A string with nothing to replace is returned as
// it is, without an allocation.
func Redact(s string) string {
	out, _ := defaultRedactor.redactString(s)
	return out
}

type redactor struct {
	keys map[string]struct{} // DefaultSecretKeys and the extra ones, normalized
	// lineKeysClean is set when no key of the access-log lines is a secret
	// under this redactor's keys, so that they need no check (see lineKey).
	lineKeysClean bool
	// idKeysClean is set when no key of the context's ids (trace_id,
	// span_id, request_id, tenant, user) is a secret under this redactor's
	// keys: their values then need only the credential check (see
	// cleanContextID).
	idKeysClean bool
}

// contextIDKeys are the keys of the ids a Handler takes from the context.
var contextIDKeys = []string{TraceIDKey, SpanIDKey, RequestIDKey, TenantKey, UserKey}

// cleanContextID reports whether the context's id v needs no redacting (its
// key is one of contextIDKeys). A request id is a client's header, which
// may hold a credential (a JWT passes gatewaycore/edge's check).
func (r *redactor) cleanContextID(v string) bool {
	return r.idKeysClean && !r.mayHoldCredential(v)
}

// lineKeys are the keys footing's access-log lines use (package instrument).
var lineKeys = []string{"method", "route", "path", "status", "duration", "bytes_in", "bytes_out",
	"code", "request_id", "tenant", "user", "procedure", "peer"}

// lineKey reports whether k is one of lineKeys; a switch, cheaper than the
// normalization and map lookup of secretKey.
func lineKey(k string) bool {
	prefix, _ := lineKeyJSON(k)
	return prefix != ""
}

// lineKeyJSON returns, for k one of lineKeys, its JSON member's start
// (`,"k":`, for writeFast; "" for any other key), and which context id
// (names* bits) k names: one switch for the three questions.
func lineKeyJSON(k string) (prefix string, names int) {
	switch k {
	case "method":
		return `,"method":`, 0
	case "route":
		return `,"route":`, 0
	case "path":
		return `,"path":`, 0
	case "status":
		return `,"status":`, 0
	case "duration":
		return `,"duration":`, 0
	case "bytes_in":
		return `,"bytes_in":`, 0
	case "bytes_out":
		return `,"bytes_out":`, 0
	case "code":
		return `,"code":`, 0
	case "procedure":
		return `,"procedure":`, 0
	case "peer":
		return `,"peer":`, 0
	case RequestIDKey:
		return `,"` + RequestIDKey + `":`, namesRequestID
	case TenantKey:
		return `,"` + TenantKey + `":`, namesTenant
	case UserKey:
		return `,"` + UserKey + `":`, namesUser
	case TraceIDKey:
		return "", namesTraceID
	case SpanIDKey:
		return "", namesSpanID
	}
	return "", 0
}

// secretLineKey is secretKey with the shortcut for the access-log keys.
func (r *redactor) secretLineKey(k string) bool {
	if r.lineKeysClean && lineKey(k) {
		return false
	}
	return r.secretKey(k)
}

func newRedactor(extra []string) *redactor {
	r := &redactor{keys: make(map[string]struct{}, len(DefaultSecretKeys)+len(extra))}
	for _, k := range slices.Concat(DefaultSecretKeys, extra) {
		var buf [64]byte
		n := normalize(buf[:0], k)
		if !hasSecretSuffix(n) && !hasSecretWord(n) { // keys the rules catch need no map entry
			r.keys[string(n)] = struct{}{}
		}
	}
	r.lineKeysClean = !slices.ContainsFunc(lineKeys, r.secretKey)
	r.idKeysClean = !slices.ContainsFunc(contextIDKeys, r.secretKey)
	return r
}

func hasSecretSuffix(n []byte) bool {
	for _, s := range secretSuffixes {
		if len(n) >= len(s) && string(n[len(n)-len(s):]) == s {
			return true
		}
	}
	return false
}

func hasSecretWord(n []byte) bool {
	for _, w := range secretWords {
		if bytes.Contains(n, []byte(w)) {
			return true
		}
	}
	return false
}

// normalize appends k lower-cased and without separators to dst.
func normalize(dst []byte, k string) []byte {
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '_' || c == '-' || c == '.' || c == ' ':
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// secretKey reports whether values under key k must be redacted.
func (r *redactor) secretKey(k string) bool {
	var buf [64]byte
	n := normalize(buf[:0], k)
	if hasSecretSuffix(n) || hasSecretWord(n) {
		return true
	}
	_, ok := r.keys[string(n)] // no allocation: the compiler special-cases m[string(b)]
	return ok
}

// attrs redacts a list of attributes, dropping empty ones and empty groups.
func (r *redactor) attrs(in []slog.Attr) []slog.Attr {
	var resolved int
	return r.walkAll(in, &resolved)
}

func (r *redactor) walkAll(in []slog.Attr, resolved *int) []slog.Attr {
	out := make([]slog.Attr, 0, len(in))
	for _, a := range in {
		if a, ok := r.walk(a, resolved); ok {
			out = append(out, a)
		}
	}
	return out
}

// maxResolved bounds the LogValuers resolved within one attribute. A value
// whose LogValue returns a group that holds it again (any tree with parent
// pointers) would be walked without end, until the stack overflowed, which
// kills the process; past the bound a LogValuer is written as tooDeep.
const maxResolved = 256

// tooDeep replaces a LogValuer nested deeper than the handler walks (see
// maxResolved): a cycle of LogValuers.
const tooDeep = "!LogValue nested too deep"

// clean reports whether a needs no change at all: not a secret key, not a kind
// that needs resolving or walking, no credential in its string.
func (r *redactor) clean(a slog.Attr) bool {
	switch a.Value.Kind() {
	case slog.KindGroup, slog.KindAny, slog.KindLogValuer:
		return false
	case slog.KindString:
		if r.mayHoldCredential(a.Value.String()) {
			return false
		}
	}
	return r.cleanKey(a.Key)
}

// cleanKey reports whether key k is written as it is: not empty, not a
// secret key, and holding no credential (see redactKey). The access-log keys
// need no check when none is a secret under this redactor's keys; any other
// key costs the values' pre-check, one pass over a short key.
func (r *redactor) cleanKey(k string) bool {
	return k != "" && !r.secretLineKey(k) && (r.lineKeysClean && lineKey(k) || !r.mayHoldCredential(k))
}

// redactKey returns k, an attribute's key, a group's name or a key of a map
// passed with slog.Any, with the credentials it holds replaced by the value
// rules (redactString): a session table keyed by JWT, a cache keyed by API
// key ("sk-ant-…" becomes "[REDACTED]", "Bearer …" "Bearer [REDACTED]",
// "password=…" "password=[REDACTED]"). It reports whether anything changed.
// A key without a credential's marker (mayHoldCredential: one pass over a
// short key) is returned as it is, without an allocation. Whether the value
// under k is redacted is secretKey's question, asked of k as given.
func (r *redactor) redactKey(k string) (string, bool) {
	return r.redactString(k)
}

// attr returns a with its secrets redacted, and false when a is to be dropped
// (an empty attribute, or a group with nothing in it).
func (r *redactor) attr(a slog.Attr) (slog.Attr, bool) {
	var resolved int
	return r.walk(a, &resolved)
}

// walk is attr, counting in resolved the LogValuers resolved so far within
// the attribute that holds a.
func (r *redactor) walk(a slog.Attr, resolved *int) (slog.Attr, bool) {
	if a.Value.Kind() == slog.KindLogValuer {
		if *resolved >= maxResolved {
			a.Value = slog.StringValue(tooDeep)
		}
		*resolved++
	}
	a.Value = a.Value.Resolve()
	if a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil {
		return a, false
	}
	secret := a.Key != "" && r.secretKey(a.Key)
	if k, changed := r.redactKey(a.Key); changed {
		// Two attributes whose keys both become [REDACTED] are written as
		// two members of that name, as slog writes any two attributes of
		// one key: legal JSON, of which a decoder keeps the last.
		a.Key = k
	}
	if secret {
		return slog.String(a.Key, Redacted), true
	}
	switch a.Value.Kind() {
	case slog.KindString:
		if s, changed := r.redactString(a.Value.String()); changed {
			a.Value = slog.StringValue(s)
		}
	case slog.KindGroup:
		g := r.walkAll(a.Value.Group(), resolved)
		if len(g) == 0 {
			return a, false
		}
		a.Value = slog.GroupValue(g...)
	case slog.KindAny:
		a.Value = r.anyValue(a.Value.Any())
	}
	return a, true
}

// anyValue turns a value passed with slog.Any into one with no secrets in it. An
// error, a []byte and a URL become their redacted text; a struct, map or slice goes through its JSON
// form, so that the handler sees the same keys a reader of the output does, and
// comes back as groups (objects) and lists with secret keys redacted. A string
// type prints as its MarshalJSON, MarshalText or String method says, in that
// order, when it has one (secret types hide their value that way); inside a
// struct, map or slice only the first two count, as in encoding/json.
//
// A value whose methods panic (the Error of a nil pointer, a MarshalJSON that
// fails) is written as slog's handlers write it, "<nil>" for a nil pointer and
// else "!PANIC: " and the panic's redacted text, and the line goes on: a log
// call never crashes its caller.
func (r *redactor) anyValue(v any) (out slog.Value) {
	defer func() {
		if p := recover(); p != nil {
			out = r.panicValue(v, p)
		}
	}()
	switch x := v.(type) {
	case nil:
		return slog.AnyValue(nil)
	case error:
		s, _ := r.redactString(x.Error())
		return slog.StringValue(s)
	case []byte:
		s, _ := r.redactString(string(x))
		return slog.StringValue(s)
	case *url.URL:
		if x == nil {
			return slog.AnyValue(nil)
		}
		s, _ := r.redactString(x.String())
		return slog.StringValue(s)
	case url.URL:
		s, _ := r.redactString(x.String())
		return slog.StringValue(s)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return slog.AnyValue(v)
	case reflect.Slice:
		// A byte slice type of its own is text, as a []byte is; encoding/json
		// would write it in base64, past every rule.
		_, m := v.(json.Marshaler)
		_, tm := v.(encoding.TextMarshaler)
		if rv.Type().Elem().Kind() == reflect.Uint8 && !m && !tm {
			s, _ := r.redactString(string(rv.Bytes()))
			return slog.StringValue(s)
		}
	case reflect.String:
		// A string type may hide its value itself, as secret types do: its
		// MarshalJSON or MarshalText (which encoding/json calls) or its
		// String says how it prints.
		switch x := v.(type) {
		case json.Marshaler, encoding.TextMarshaler:
		case fmt.Stringer:
			s, _ := r.redactString(x.String())
			return slog.StringValue(s)
		default:
			s, _ := r.redactString(rv.String())
			return slog.StringValue(s)
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return slog.StringValue("!unloggable " + rv.Type().String())
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return slog.StringValue("!unloggable " + rv.Type().String())
	}
	return r.treeValue(tree)
}

// panicValue is what slog's handlers write for a value whose method panicked
// with p.
func (r *redactor) panicValue(v any, p any) slog.Value {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return slog.StringValue("<nil>")
	}
	s, _ := r.redactString(fmt.Sprintf("!PANIC: %v", p))
	return slog.StringValue(s)
}

// treeValue converts a decoded JSON tree, redacting as it goes.
// base64Credential reports whether s is standard base64 — what encoding/json makes
// of a []byte — of text that holds a credential: a struct's []byte field carrying a
// token would otherwise pass every value rule, and its base64 give it back to anyone
// reading the log. Only strings of a whole number of base64 quanta, at least 24
// characters, are decoded; this runs on the JSON tree of a value passed with
// slog.Any, never on the request path's attributes.
func (r *redactor) base64Credential(s string) bool {
	if len(s) < 24 || len(s)%4 != 0 {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/':
		case c == '=' && i >= len(s)-2: // padding
		default:
			return false
		}
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return false
	}
	_, changed := r.redactString(string(b))
	return changed
}

// cookieShaped reports whether o is an http.Cookie as encoding/json writes it: a
// cookie carries a credential (a session id, a CSRF token) whatever the key it is
// logged under, so its value is redacted as a secret key's would be. The fields
// checked are the ones a cookie has and a plain name/value pair does not.
func cookieShaped(o map[string]any) bool {
	for _, k := range [...]string{"Name", "Value", "HttpOnly", "SameSite", "Raw"} {
		if _, ok := o[k]; !ok {
			return false
		}
	}
	return true
}

// cookieSecretField reports whether a cookie's field k holds its value: Value, and
// Raw (the whole Set-Cookie or Cookie line) and Unparsed (its raw attributes).
func cookieSecretField(k string) bool {
	return k == "Value" || k == "Raw" || k == "Unparsed"
}

func (r *redactor) treeValue(t any) slog.Value {
	switch x := t.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		cookie := cookieShaped(x)
		attrs := make([]slog.Attr, 0, len(keys))
		var given map[string]struct{} // the names given to redacted keys
		for _, k := range keys {
			name := k
			if rk, changed := r.redactKey(k); changed {
				name = distinctKey(rk, x, &given)
			}
			if r.secretKey(k) || cookie && cookieSecretField(k) {
				attrs = append(attrs, slog.String(name, Redacted))
				continue
			}
			attrs = append(attrs, slog.Attr{Key: name, Value: r.treeValue(x[k])})
		}
		if len(attrs) == 0 {
			return slog.AnyValue(map[string]any{})
		}
		return slog.GroupValue(attrs...)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(r.treeValue(e))
		}
		return slog.AnyValue(out)
	case string:
		s, changed := r.redactString(x)
		if !changed && r.base64Credential(x) {
			return slog.StringValue(Redacted)
		}
		return slog.StringValue(s)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return slog.Int64Value(i)
		}
		f, _ := x.Float64()
		return slog.Float64Value(f)
	default: // bool, nil
		return slog.AnyValue(x)
	}
}

// distinctKey returns name, a redacted key of object obj, made distinct from
// obj's keys and from the names already given (recorded in *given): the first
// as it is, then name+"#2", name+"#3", … Two keys of one map that both
// become [REDACTED] (two sessions keyed by JWT) would otherwise be one member
// name twice: legal JSON, but a decoder keeps one of them, and so does plain,
// which rebuilds the object as a Go map inside a list. Numbered, every entry
// keeps its member ("[REDACTED]":1,"[REDACTED]#2":2); which one gets which
// number follows the sorted order of the original keys.
func distinctKey(name string, obj map[string]any, given *map[string]struct{}) string {
	if *given == nil {
		*given = make(map[string]struct{})
	}
	n := name
	for i := 2; ; i++ {
		_, inObj := obj[n]
		_, taken := (*given)[n]
		if !inObj && !taken {
			break
		}
		n = name + "#" + strconv.Itoa(i)
	}
	(*given)[n] = struct{}{}
	return n
}

// plain turns a redacted value back into a Go value for use inside a list.
func plain(v slog.Value) any {
	if v.Kind() != slog.KindGroup {
		return v.Any()
	}
	m := make(map[string]any, len(v.Group()))
	for _, a := range v.Group() {
		m[a.Key] = plain(a.Value)
	}
	return m
}

// redactString replaces the credentials a string can carry: bearer and basic
// credentials, JWTs, keyless credentials (keyless.go), a URL's user info, whole ("postgres://USER:PASSWORD@db/x",
// "https://TOKEN@github.com/o/r"), and the value of a key=value pair or of a
// JSON "key":"value" member whose key is a secret key ("?access_token=…",
// "password=… host=…", `{"client_secret":"…"}`). It reports whether anything
// changed; when nothing did, it has not allocated.
func (r *redactor) redactString(s string) (string, bool) {
	if !r.mayHoldCredential(s) {
		return s, false
	}
	var b strings.Builder
	changed := false
	i, last := 0, 0
	for i < len(s) {
		if credStart, end, ok := schemeCredential(s, i); ok {
			b.WriteString(s[last:credStart])
			b.WriteString(Redacted)
			i, last, changed = end, end, true
			continue
		}
		if end, ok := jwtAt(s, i); ok {
			b.WriteString(s[last:i])
			b.WriteString(Redacted)
			i, last, changed = end, end, true
			continue
		}
		if end, ok := keylessAt(s, i); ok {
			b.WriteString(s[last:i])
			b.WriteString(Redacted)
			i, last, changed = end, end, true
			continue
		}
		if valStart, end, ok := r.secretValueAt(s, i, last); ok {
			b.WriteString(s[last:valStart])
			b.WriteString(Redacted)
			i, last, changed = end, end, true
			continue
		}
		i++
	}
	if !changed {
		return s, false
	}
	b.WriteString(s[last:])
	return b.String(), true
}

// mayHoldCredential is a cheap pre-check: a credential needs "bearer" or
// "basic" (any case) or "eyJ" somewhere, a URL with user info, a '=' or
// ':' after a secret key, or a keyless credential's prefix (keyless.go). A
// short string without a byte of those markers (scanClasses) is answered in
// one pass; else hasCredentialMarker looks.
func (r *redactor) mayHoldCredential(s string) bool {
	return scanClasses(s)&classCredential != 0 && r.hasCredentialMarker(s)
}

// hasCredentialMarker is mayHoldCredential without the one-pass answer for
// short strings. It uses the vectorized byte search, as most strings have few
// b's and no '@' or '='.
func (r *redactor) hasCredentialMarker(s string) bool {
	return r.hasMarker(s) || hasKeylessToken(s)
}

// hasMarker is hasCredentialMarker but for the keyless credentials.
func (r *redactor) hasMarker(s string) bool {
	if strings.Contains(s, "eyJ") || hasSchemeAfter(s, 'b') || hasSchemeAfter(s, 'B') {
		return true
	}
	if strings.IndexByte(s, '@') >= 0 && strings.Contains(s, "://") {
		return true
	}
	if strings.IndexByte(s, '=') < 0 && strings.IndexByte(s, ':') < 0 {
		return false
	}
	for i := range len(s) {
		if s[i] == '=' || s[i] == ':' {
			if _, _, ok := r.secretValueAt(s, i, 0); ok {
				return true
			}
		}
	}
	return false
}

// secretValueAt matches, at i, a secret that is not a bearer credential or a
// JWT, and returns where the secret starts and ends:
//   - at "://", the URL's user info, whole (up to the '@');
//   - at '=', the value after a secret key (key=value, as in a query string, a
//     key/value DSN or a header list), up to a space, '&', ',', ';' or a quote,
//     or within the quotes when it is quoted;
//   - at ':', the string value of a JSON member whose quoted key is a secret,
//     or the rest of the line after a secret key written right before the
//     colon (a header line, see headerSecretValue).
//
// The key must start at or after floor (the part of s not yet replaced).
func (r *redactor) secretValueAt(s string, i, floor int) (start, end int, ok bool) {
	switch s[i] {
	case ':':
		if strings.HasPrefix(s[i:], "://") {
			return urlUserinfo(s, i+3)
		}
		if start, end, ok = r.jsonSecretMember(s, i, floor); ok {
			return start, end, ok
		}
		return r.headerSecretValue(s, i, floor)
	case '=':
		ks := i
		for ks > floor && isKeyByte(s[ks-1]) {
			ks--
		}
		if ks == i || !r.secretKey(s[ks:i]) {
			return 0, 0, false
		}
		start = i + 1
		if start < len(s) && (s[start] == '"' || s[start] == '\'') {
			q := s[start]
			end = start + 1
			for end < len(s) && s[end] != q {
				end++
			}
			if end == start+1 {
				return 0, 0, false
			}
			return start + 1, end, true
		}
		if strings.HasPrefix(s[start:], Redacted) {
			return 0, 0, false // already redacted (its ']' would end the value)
		}
		end = start
		if inPathSegment(s, ks) {
			for end < len(s) && !isValueEnd(s[end]) && s[end] != '/' && s[end] != '?' {
				end++
			}
		} else {
			for end < len(s) && !isValueEnd(s[end]) {
				end++
			}
		}
		end = beforeScheme(s, start, end)
		if end == start {
			return 0, 0, false
		}
		return start, end, true
	}
	return 0, 0, false
}

// maxPathContext bounds how far back inPathSegment looks for the '/' of a
// path: a longer word is taken for plain text, whose values run on (the
// side that hides more).
const maxPathContext = 512

// inPathSegment reports whether the key=value pair whose key starts at ks
// is inside a URL path: the word it is in (back to white space, a quote or
// the start of s, at most maxPathContext bytes) has a '/' before it and no
// '?' or '#' (a query or a fragment) between. Such a value ends at the next
// '/' or '?', as a router reads the segment ("/cb/access_token=…/done" keeps
// "/done"); in a query, a fragment or plain text ("password=… host=…"), a
// value runs on past a '/', which a base64 secret may hold.
func inPathSegment(s string, ks int) bool {
	slash := false
	for j := ks - 1; j >= 0 && ks-j <= maxPathContext; j-- {
		switch s[j] {
		case '?', '#':
			return false
		case '/':
			slash = true
		case ' ', '\t', '\n', '\r', '"', '\'', '`':
			return slash
		}
	}
	return slash && ks <= maxPathContext
}

// beforeScheme returns end, the end of an unquoted value or token starting
// at start, moved back to before a bearer or basic credential's scheme that
// ends it ("access_token=abc/Bearer <token>", "password=Bearer <token>",
// "Bearer abc/Bearer <token>"): taken whole, the value would swallow the
// scheme and leave its token, after the space, in clear. The slashes before
// the scheme stay out of the value; schemeCredential then replaces the
// token. The scheme is matched by schemeToken, which does not look further:
// a chain of such credentials costs one pass.
func beforeScheme(s string, start, end int) int {
	if end >= len(s) || s[end] != ' ' && s[end] != '\t' {
		return end
	}
	w := end
	for w > start && ('a' <= s[w-1]|0x20 && s[w-1]|0x20 <= 'z') {
		w--
	}
	if _, _, ok := schemeToken(s, w); !ok && (!schemeRedacted(s[w:]) || w > 0 && !schemeBoundary(s[w-1])) {
		// No scheme (or the word does not start at a boundary). A scheme
		// whose credential is already redacted counts: the output is
		// redacted the same again.
		return end
	}
	for w > start && s[w-1] == '/' {
		w--
	}
	return w
}

// headerSecretValue matches, at the ':' at i, "Key: value" where Key is a
// secret key written right before the colon: a header line ("X-Api-Key: …",
// "Cookie: a=1; b=2", "Authorization: token …"), a YAML-like line, a struct
// printed with %+v ("{User:ann Password:…}"). The value is the rest of the
// line, as a header's is, spaces included; a bearer or basic credential is
// left to schemeCredential, which keeps the scheme readable.
func (r *redactor) headerSecretValue(s string, i, floor int) (start, end int, ok bool) {
	if i == floor || '0' <= s[i-1] && s[i-1] <= '9' {
		// No key, or a host, port, IP address or time ("10.0.0.1:5432",
		// "12:30"), which are frequent: no default secret key ends in a
		// digit (an extra one that does is matched in its other forms).
		return 0, 0, false
	}
	ks := i
	for ks > floor && isKeyByte(s[ks-1]) {
		ks--
	}
	if ks == i || ks > 0 && s[ks-1] == '/' || !r.secretKey(s[ks:i]) {
		// A key right after a slash is a path's custom method
		// ("/v1/token:revoke"), not a header.
		return 0, 0, false
	}
	start = i + 1
	for start < len(s) && (s[start] == ' ' || s[start] == '\t') {
		start++
	}
	if _, _, ok := schemeCredential(s, start); ok || schemeRedacted(s[start:]) {
		return 0, 0, false
	}
	end = start
	for end < len(s) && s[end] != '\n' && s[end] != '\r' {
		end++
	}
	if end == start || strings.HasPrefix(s[start:end], Redacted) {
		return 0, 0, false
	}
	return start, end, true
}

// schemeRedacted reports whether v is a bearer or basic credential already
// redacted ("Bearer [REDACTED]").
func schemeRedacted(v string) bool {
	for _, scheme := range []string{"bearer", "basic"} {
		if hasPrefixFold(v, scheme) {
			return strings.HasPrefix(strings.TrimLeft(v[len(scheme):], " \t"), Redacted)
		}
	}
	return false
}

// urlUserinfo finds the user info of the URL whose authority starts at a
// (after "://"), user name and password alike: many hosts take a token as the
// user name ("https://ghp_…@github.com"). User info already redacted is no
// match.
func urlUserinfo(s string, a int) (start, end int, ok bool) {
	start, end, ok = userinfo.At(s, a)
	if !ok || s[start:end] == Redacted {
		return 0, 0, false
	}
	return start, end, true
}

// jsonSecretMember matches, at the ':' at i, `"key": "value"` where key is a
// secret key, and returns where the value's text starts and ends (inside its
// quotes, escapes included). Spaces and tabs may surround the colon, and the
// member may be JSON quoted into a string (`{\"key\":\"value\"}`, as %q of a
// body writes it): then its quotes are \" and the value ends at the first \"
// that is not an escaped \\\".
func (r *redactor) jsonSecretMember(s string, i, floor int) (start, end int, ok bool) {
	k := i
	for k > floor && isJSONSpace(s[k-1]) {
		k--
	}
	if k-1 <= floor || s[k-1] != '"' {
		return 0, 0, false
	}
	ke := k - 1
	quoted := s[ke-1] == '\\' // the member is inside a JSON string: \"key\"
	if quoted {
		ke--
	}
	ks := ke
	for ks > floor && s[ks-1] != '"' && s[ks-1] != '\\' {
		ks--
	}
	if ks == floor || s[ks-1] != '"' || ks == ke || !r.secretKey(s[ks:ke]) {
		return 0, 0, false
	}
	v := i + 1
	for v < len(s) && isJSONSpace(s[v]) {
		v++
	}
	if quoted {
		if !strings.HasPrefix(s[v:], `\"`) {
			return 0, 0, false
		}
		v++ // at the quote of \"
		for end = v + 1; end < len(s); end++ {
			if s[end] != '"' {
				continue
			}
			n := 0 // the backslashes before this quote
			for end-1-n > v && s[end-1-n] == '\\' {
				n++
			}
			if n == 1 { // \" ends the value
				end--
				break
			}
			if n%2 == 0 { // a bare quote ends the string the member is in
				break
			}
			// \\\" and longer: a quote inside the value.
		}
	} else {
		if v >= len(s) || s[v] != '"' {
			return 0, 0, false
		}
		end = v + 1
		for end < len(s) && s[end] != '"' {
			if s[end] == '\\' {
				end++
			}
			end++
		}
	}
	end = min(end, len(s))
	if end <= v+1 || s[v+1:end] == Redacted {
		return 0, 0, false
	}
	return v + 1, end, true
}

// isJSONSpace reports whether c is white space around a JSON colon.
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' }

// isKeyByte reports whether c may appear in the key of a key=value pair.
func isKeyByte(c byte) bool {
	return isB64URL(c) || c == '.'
}

// isValueEnd reports whether c ends an unquoted value of a key=value pair.
func isValueEnd(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '&', ',', ';', '"', '\'', ')', ']', '}', '>', '#':
		return true
	}
	return false
}

// hasSchemeAfter reports whether "bearer" or "basic" (any case) starts at an
// occurrence of c in s.
func hasSchemeAfter(s string, c byte) bool {
	for {
		i := strings.IndexByte(s, c)
		if i < 0 {
			return false
		}
		if hasPrefixFold(s[i:], "bearer") || hasPrefixFold(s[i:], "basic") {
			return true
		}
		s = s[i+1:]
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// schemeCredential matches "Bearer <token>" or "Basic <token>" at i, where the
// scheme starts a word (schemeBoundary), and returns where the credential
// starts and ends. The scheme word stays readable; only the credential is
// replaced. A token that ends in another scheme before its credential
// ("Bearer abc/Bearer <token>") ends before it (beforeScheme), so that the
// second credential is found too.
func schemeCredential(s string, i int) (credStart, end int, ok bool) {
	credStart, end, ok = schemeToken(s, i)
	if !ok {
		return 0, 0, false
	}
	if end = beforeScheme(s, credStart, end); end == credStart {
		return 0, 0, false
	}
	return credStart, end, true
}

// schemeToken is schemeCredential with the token taken whole.
func schemeToken(s string, i int) (credStart, end int, ok bool) {
	if i > 0 && !schemeBoundary(s[i-1]) {
		return 0, 0, false
	}
	var n int
	switch {
	case hasPrefixFold(s[i:], "bearer"):
		n = len("bearer")
	case hasPrefixFold(s[i:], "basic"):
		n = len("basic")
	default:
		return 0, 0, false
	}
	j := i + n
	if j >= len(s) || (s[j] != ' ' && s[j] != '\t') {
		return 0, 0, false
	}
	for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
		j++
	}
	k := j
	for k < len(s) && isTokenByte(s[k]) {
		k++
	}
	if k-j < 6 { // "Bearer of bad news" is not a credential; real tokens are longer.
		return 0, 0, false
	}
	return j, k, true
}

// jwtAt matches a JWT (three base64url segments, the first a JSON object) at i.
func jwtAt(s string, i int) (int, bool) {
	if !strings.HasPrefix(s[i:], "eyJ") || (i > 0 && isB64URL(s[i-1])) {
		return 0, false
	}
	j, dots := i, 0
	segStart := i
	for j < len(s) {
		c := s[j]
		if isB64URL(c) {
			j++
			continue
		}
		if c == '.' && dots < 2 && j > segStart {
			dots++
			j++
			segStart = j
			continue
		}
		break
	}
	if dots < 2 || j-i < 16 {
		return 0, false
	}
	return j, true
}

func isB64URL(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// schemeBoundary reports whether a bearer or basic scheme may follow c: any
// byte but a letter, a digit and the bytes that join a word ('-', '_', '.',
// '~'). A scheme after '/' (a path or a URL in an error: "GET /t/Bearer …"),
// '=' ("hdr=Bearer …") or '+' is a credential's as it is after a space;
// "xBearer …" and "auth_basic …" are no schemes.
func schemeBoundary(c byte) bool {
	return !isB64URL(c) && c != '.' && c != '~'
}

// isTokenByte reports whether c may appear in an RFC 6750 token68 credential.
func isTokenByte(c byte) bool {
	return isB64URL(c) || c == '.' || c == '~' || c == '+' || c == '/' || c == '='
}
