// Command generate-go writes packages/versioning/testdata/go/generated-x-mod-semver.txt.
//
// Needs: a Go toolchain and golang.org/x/mod/semver in GOPATH form, which Debian ships
// (`apt-get install -y golang-go golang-golang-x-mod-dev`, source in /usr/share/gocode), and the
// shared data (override the folder with GO_DATA=...):
//
//	/work/shared/data/advisories/osv/Go/all.zip      (golang/vulndb OSV records, CC-BY-4.0)
//	/work/shared/data/inventories/go-buildinfo/*.txt (`go version -m` of real binaries)
//
// No network. Run from the repository root:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run packages/versioning/scripts/generate-go.go
//
// Writes `a < b` / `a = b` lines ordered by semver.Compare (deterministic: fixed seed, sorted
// inputs) and checks that x/mod rejects every line of testdata/go/invalid.txt. OSV writes Go
// versions without the "v" (`1.2.3`, `introduced: "0"`); they are kept as written in the
// corpus and given the "v" only to ask x/mod. Strings x/mod rejects are dropped.
package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/mod/semver"
)

const out = "packages/versioning/testdata/go/generated-x-mod-semver.txt"
const invalidFile = "packages/versioning/testdata/go/invalid.txt"

var synthetic = strings.Fields(`
0 0.0 0.0.0 v0 v0.0 v0.0.0 v1 v1.0 v1.0.0 v1.2 v1.2.0 v1.2.3 v1.10.0 v2.0.0 v2.0.0+incompatible
v2.0.0-rc.1+incompatible v3.1.4+incompatible v17.0.0+incompatible v1.0.0+meta v1.0.0-rc.1+build.5
v0.0.0-20191109021931-daa7c04131f5 v0.0.0-20191109021931-000000000000 v0.0.0-20200101000000-aaaaaaaaaaaa
v0.0.0-20191109021932-daa7c04131f5 v0.0.0-00010101000000-000000000000 v0.0.1-0.20191109021931-daa7c04131f5
v1.2.4-0.20191109021931-daa7c04131f5 v1.2.4-0.20200101000000-aaaaaaaaaaaa v1.2.3-pre.0.20191109021931-daa7c04131f5
v1.2.3-pre v1.2.3-pre.1 v1.2.3-pre.0 v1.2.4-pre v1.2.4-0 v1.2.4-0.0 v1.2.4-0.1 v1.2.3-rc1 v1.2.3-rc.1
v1.2.3-rc.10 v1.2.3-rc.2 v1.2.3-alpha v1.2.3-alpha.beta v1.2.3-beta v1.2.3-beta.11 v1.2.3-Beta v1.2.3-0a
v1.2.3--1 v1.2.3-- v1.2.3-x.7.z.92 v1.2.3-999999999999999999999 v1.2.3-1000000000000000000000
v1.2.3-99999999999999999999 v2.0.0-20180101000000-abcdefabcdef+incompatible
`)

func withV(v string) string {
	if strings.HasPrefix(v, "v") {
		return v
	}
	return "v" + v
}

func valid(v string) bool { return semver.IsValid(withV(v)) }

func fromOSV(dir string) []string {
	r, err := zip.OpenReader(filepath.Join(dir, "advisories/osv/Go/all.zip"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "skipping OSV archive:", err)
		return nil
	}
	defer r.Close()
	var found []string
	for _, f := range r.File {
		if !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			panic(err)
		}
		var rec struct {
			Affected []struct {
				Ranges []struct {
					Type   string              `json:"type"`
					Events []map[string]string `json:"events"`
				} `json:"ranges"`
				Versions []string `json:"versions"`
			} `json:"affected"`
		}
		if err := json.NewDecoder(rc).Decode(&rec); err != nil {
			panic(fmt.Sprint(f.Name, err))
		}
		rc.Close()
		for _, a := range rec.Affected {
			for _, rg := range a.Ranges {
				for _, ev := range rg.Events {
					for _, v := range ev {
						found = append(found, v)
					}
				}
			}
			found = append(found, a.Versions...)
		}
	}
	return found
}

func fromBuildinfo(dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "inventories/go-buildinfo/*.txt"))
	var found []string
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			panic(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			// "\tdep\tmodule/path\tv1.2.3\th1:…" and "\t=>\tmodule/path\tv1.2.3\th1:…"
			fields := strings.Split(strings.TrimPrefix(sc.Text(), "\t"), "\t")
			if len(fields) >= 3 && (fields[0] == "dep" || fields[0] == "mod" || fields[0] == "=>") {
				found = append(found, fields[2])
			}
		}
		f.Close()
	}
	return found
}

func uniqueValid(list []string) []string {
	seen := map[string]bool{}
	var res []string
	for _, v := range list {
		if !seen[v] && valid(v) {
			seen[v] = true
			res = append(res, v)
		}
	}
	sort.Strings(res)
	return res
}

func byVersion(list []string) []string {
	res := append([]string(nil), list...)
	sort.SliceStable(res, func(i, j int) bool { return semver.Compare(withV(res[i]), withV(res[j])) < 0 })
	return res
}

func main() {
	dir := os.Getenv("GO_DATA")
	if dir == "" {
		dir = "/work/shared/data"
	}
	real := uniqueValid(append(fromOSV(dir), fromBuildinfo(dir)...))
	synth := uniqueValid(synthetic)
	all := byVersion(uniqueValid(append(append([]string(nil), real...), synth...)))
	rng := rand.New(rand.NewSource(1926))

	pairs := map[[2]string]bool{}
	s := byVersion(synth)
	for i := 1; i < len(s); i++ {
		pairs[[2]string{s[i-1], s[i]}] = true
	}
	// Sampled neighbours in sorted order (the closest real pairs), then random pairs.
	for _, i := range rng.Perm(len(all) - 1)[:min(2000, len(all)-1)] {
		pairs[[2]string{all[i], all[i+1]}] = true
	}
	for i := 0; i < 900; i++ {
		pairs[[2]string{real[rng.Intn(len(real))], real[rng.Intn(len(real))]}] = true
	}
	for i := 0; i < 400; i++ {
		pairs[[2]string{real[rng.Intn(len(real))], synth[rng.Intn(len(synth))]}] = true
	}

	lineSet := map[string]bool{}
	for p := range pairs {
		a, b := p[0], p[1]
		if a == b {
			continue
		}
		c := semver.Compare(withV(a), withV(b))
		if c > 0 {
			a, b, c = b, a, -c
		}
		op := "<"
		if c == 0 {
			op = "="
		}
		lineSet[a+" "+op+" "+b] = true
	}
	var lines []string
	for l := range lineSet {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	header := []string{
		"# Generated by packages/versioning/scripts/generate-go.go with golang.org/x/mod/semver",
		"# (Debian golang-golang-x-mod-dev), semver.Compare order. Do not edit; re-run the script.",
		"# Versions: golang/vulndb OSV records (CC-BY-4.0, written without \"v\"), `go version -m`",
		"# of real binaries, plus synthetic pseudo-version and +incompatible cases.",
	}
	text := strings.Join(append(header, lines...), "\n") + "\n"
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		panic(err)
	}
	fmt.Printf("wrote %d pairs from %d real and %d synthetic versions to %s\n", len(lines), len(real), len(synth), out)

	if data, err := os.ReadFile(invalidFile); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if l != "" && !strings.HasPrefix(l, "#") && valid(l) {
				fmt.Fprintf(os.Stderr, "invalid.txt: x/mod accepts %q\n", l)
			}
		}
	}
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}
