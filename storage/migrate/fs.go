package migrate

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/footingdev/footing/contracts/errs"
)

//go:embed migrations/*.sql
var embedded embed.FS

// MaxFootingVersion is the highest migration version reserved for footing's own migrations;
// the application's start above it.
const MaxFootingVersion = 999

// FS returns footing's own migrations, goose SQL files at the root of the returned FS.
func FS() fs.FS {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil { // cannot happen: the directory is embedded
		panic(err)
	}
	return sub
}

// A source is one migration file: where it came from and its version.
type source struct {
	name    string
	version int64
	origin  string // "footing" or "app"
	data    []byte
}

// version parses goose's numeric prefix: 00001_name.sql -> 1.
func version(name string) (int64, error) {
	base := path.Base(name)
	num, _, ok := strings.Cut(base, "_")
	if !ok {
		return 0, fmt.Errorf("%s: name must be <version>_<description>.sql", base)
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("%s: version prefix must be a positive integer", base)
	}
	return v, nil
}

func collect(fsys fs.FS, origin string) ([]source, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	out := make([]source, 0, len(names))
	for _, n := range names {
		v, err := version(n)
		if err != nil {
			return nil, err
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, source{name: n, version: v, origin: origin, data: b})
	}
	return out, nil
}

// merge puts footing's and the application's migrations into one FS for goose, checking
// that footing's stay within their range, the application's above it, and no version repeats.
func merge(app fs.FS) (fstest.MapFS, []source, error) {
	own, err := collect(FS(), "footing")
	if err != nil {
		return nil, nil, errs.Internal(err)
	}
	var appSrc []source
	if app != nil {
		if appSrc, err = collect(app, "app"); err != nil {
			return nil, nil, errs.InvalidArgument("MIGRATION_INVALID", err.Error())
		}
	}
	var problems []errs.Option
	seen := map[int64]string{}
	all := append(own, appSrc...)
	for _, s := range all {
		if s.origin == "app" && s.version <= MaxFootingVersion {
			problems = append(problems, errs.WithFieldViolation(s.name,
				fmt.Sprintf("application migration versions must be above %d", MaxFootingVersion), "VERSION_RESERVED"))
		}
		if prev, dup := seen[s.version]; dup {
			problems = append(problems, errs.WithFieldViolation(s.name, "version already used by "+prev, "VERSION_DUPLICATE"))
		}
		seen[s.version] = s.name
	}
	if len(problems) > 0 {
		return nil, nil, errs.InvalidArgument("MIGRATION_INVALID", "invalid migration set", problems...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	m := fstest.MapFS{}
	for _, s := range all {
		m[path.Base(s.name)] = &fstest.MapFile{Data: s.data, Mode: 0o444}
	}
	return m, all, nil
}
