package modcheck

import "regexp"

// semver is the grammar of semver.org 2.0.0, without a leading "v".
var semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)` +
	`(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?` +
	`(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)

// ValidSemver reports whether v is a semantic version such as "1.2.3" or
// "0.4.0-rc.1" (no leading "v").
func ValidSemver(v string) bool { return semver.MatchString(v) }

// Version fails t when version is not valid semver.
func Version(t TB, version string) {
	t.Helper()
	if !ValidSemver(version) {
		t.Errorf("Version %q is not a semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD], no leading v)", version)
	}
}
