// Command modproxy writes a file-based Go module proxy (GOPROXY=file://DIR) holding
// modules made from directories, with the zips the go command itself would make.
// scripts/check-consumable uses it to serve footing's modules as users get them.
//
//	modproxy -dir PROXY [-time RFC3339] PATH@VERSION=SRCDIR...
//
// For each module it writes PROXY/<escaped path>/@v/{list,VERSION.info,VERSION.mod,VERSION.zip}.
// The zip comes from golang.org/x/mod/zip.CreateFromDir, which leaves out what a module
// zip never holds (nested modules, vendor directories, VCS directories, irregular
// files). A .go file it leaves out is an error: the module would build here and not
// for its users.
package main

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	modzip "golang.org/x/mod/zip"
)

func main() {
	dir := flag.String("dir", "", "proxy directory to write (created if missing)")
	at := flag.String("time", "", "the versions' time (RFC 3339) for the .info files; default now")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: modproxy -dir PROXY [-time RFC3339] PATH@VERSION=SRCDIR...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *dir == "" || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	t := time.Now().UTC()
	if *at != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, *at); err != nil {
			fail(fmt.Errorf("-time: %w", err))
		}
	}
	for _, arg := range flag.Args() {
		spec, src, ok := strings.Cut(arg, "=")
		path, version, ok2 := strings.Cut(spec, "@")
		if !ok || !ok2 {
			fail(fmt.Errorf("%q: want PATH@VERSION=SRCDIR", arg))
		}
		if err := add(*dir, module.Version{Path: path, Version: version}, src, t); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "modproxy:", err)
	os.Exit(1)
}

// add writes module m, made from directory src, into the proxy at dir.
func add(dir string, m module.Version, src string, t time.Time) error {
	if err := module.Check(m.Path, m.Version); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return fmt.Errorf("%s: %w", m, err)
	}
	if got := modfile.ModulePath(gomod); got != m.Path {
		return fmt.Errorf("%s: %s/go.mod declares module %q", m, src, got)
	}
	escPath, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	escVersion, err := module.EscapeVersion(m.Version)
	if err != nil {
		return err
	}
	vdir := filepath.Join(dir, filepath.FromSlash(escPath), "@v")
	if err := os.MkdirAll(vdir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(vdir, escVersion)

	zipFile := base + ".zip"
	if err := writeZip(zipFile, m, src); err != nil {
		return fmt.Errorf("%s: %w", m, err)
	}
	files, err := zipFiles(zipFile, m)
	if err != nil {
		return fmt.Errorf("%s: %w", m, err)
	}
	if err := checkLeftOut(m, src, files); err != nil {
		return err
	}
	if err := os.WriteFile(base+".mod", gomod, 0o644); err != nil {
		return err
	}
	info, err := json.Marshal(struct {
		Version string
		Time    time.Time
	}{m.Version, t})
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".info", info, 0o644); err != nil {
		return err
	}
	if err := addToList(filepath.Join(vdir, "list"), m.Version); err != nil {
		return err
	}
	fmt.Printf("modproxy: %s (%d files)\n", m, len(files))
	return nil
}

func writeZip(name string, m module.Version, src string) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return modzip.CreateFromDir(f, m, src)
}

// zipFiles lists the files in the module zip, relative to the module root.
func zipFiles(name string, m module.Version) (map[string]bool, error) {
	r, err := zip.OpenReader(name)
	if err != nil {
		return nil, err
	}
	defer r.Close() //nolint:errcheck // read only: nothing to lose on close
	prefix := m.Path + "@" + m.Version + "/"
	files := make(map[string]bool, len(r.File))
	for _, f := range r.File {
		files[strings.TrimPrefix(f.Name, prefix)] = true
	}
	return files, nil
}

// checkLeftOut fails if a .go file under src did not make it into the zip.
func checkLeftOut(m module.Version, src string, files map[string]bool) error {
	var left []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !files[rel] && !inNestedModule(src, filepath.Dir(p)) {
			left = append(left, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(left) > 0 {
		slices.Sort(left)
		return fmt.Errorf("%s: the module zip leaves out %s", m, strings.Join(left, ", "))
	}
	return nil
}

// inNestedModule reports whether directory d, below root, lies in a module of its own
// (a go.mod in d or a directory between it and root); such files belong to that module.
func inNestedModule(root, d string) bool {
	for d != root && strings.HasPrefix(d, root) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return true
		}
		d = filepath.Dir(d)
	}
	return false
}

// addToList adds version to the proxy's list file, one version a line, semver-sorted.
func addToList(name, version string) error {
	data, err := os.ReadFile(name)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	versions := strings.Fields(string(data))
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	semver.Sort(versions)
	return os.WriteFile(name, []byte(strings.Join(versions, "\n")+"\n"), 0o644)
}
