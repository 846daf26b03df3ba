package datasets

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/progress"
)

// EnvCacheDir names the environment variable that overrides
// DefaultCacheDir.
const EnvCacheDir = "CARDINAL_CACHE_DIR"

// Cache format and lock constants.
const (
	// tpchCacheFormat is the version of the cache layout and of the
	// generated data; bump it whenever either changes, so old entries are
	// regenerated.
	tpchCacheFormat = 2
	// tpchGenerator names the generator in the manifest.
	tpchGenerator = "github.com/pingcap/go-tpc@v1.0.7/tpch/dbgen"
	manifestFile  = "manifest.json"
	// lockPoll is how often a waiting process looks at the lock file.
	lockPoll = 250 * time.Millisecond
	// lockStale is the age after which a lock file is taken to be left
	// by a process that died: generating SF1 takes about a minute here,
	// MaxTPCHScale half an hour.
	lockStale = 45 * time.Minute
)

// ErrCache: a cache entry is unreadable or does not match its manifest.
// TPCH regenerates such an entry; the error is seen only when the cache
// directory cannot be used at all.
var ErrCache = errors.New("bad cache entry")

// DefaultCacheDir returns $CARDINAL_CACHE_DIR when set, else
// os.UserCacheDir()/cardinal (e.g. ~/.cache/cardinal on Linux).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(EnvCacheDir); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("datasets: %w: no cache directory (set %s or TPCHOptions.CacheDir): %w", ErrCache, EnvCacheDir, err)
	}
	return filepath.Join(d, "cardinal"), nil
}

// manifest describes a cache entry.
type manifest struct {
	Format    int             `json:"format"`
	Generator string          `json:"generator"`
	Scale     float64         `json:"scale"`
	Comments  bool            `json:"comments"`
	Files     []manifestEntry `json:"files"`
}

type manifestEntry struct {
	Name   string `json:"name"`
	Rows   int    `json:"rows"` // -1 for the schema file
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// tpchEntryName is the cache directory name of a TPC-H configuration.
func tpchEntryName(opts TPCHOptions) string {
	name := "tpch-v" + strconv.Itoa(tpchCacheFormat) + "-sf" + strconv.FormatFloat(opts.Scale, 'g', -1, 64)
	if opts.Comments {
		name += "-comments"
	}
	return name
}

// cachedTPCH reads the TPC-H tables from the cache, generating and
// storing them first when missing or invalid. A lock file makes
// processes wait for the one generating.
func cachedTPCH(ctx context.Context, opts TPCHOptions) (*DB, error) {
	root := opts.CacheDir
	if root == "" {
		var err error
		if root, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("datasets: %w: %w", ErrCache, err)
	}
	dir := filepath.Join(root, tpchEntryName(opts))
	want := manifest{Format: tpchCacheFormat, Generator: tpchGenerator, Scale: opts.Scale, Comments: opts.Comments}
	report := func(format string, args ...any) {
		if opts.Progress != nil {
			opts.Progress(progress.Report{Stage: "tpch", Detail: fmt.Sprintf(format, args...)})
		}
	}
	if db, err := readCacheEntry(ctx, dir, want); err == nil {
		report("read from cache %s", dir)
		return db, nil
	}
	unlock, err := lockDir(ctx, dir+".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Another process may have filled the entry while we waited.
	db, err := readCacheEntry(ctx, dir, want)
	if err == nil {
		report("read from cache %s", dir)
		return db, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		report("regenerating cache entry %s: %v", dir, err)
	}
	if db, err = generateTPCH(ctx, opts); err != nil {
		return nil, err
	}
	report("writing cache %s", dir)
	if err := writeCacheEntry(db, dir, want); err != nil {
		// The data is good; only the cache failed. Say so and go on.
		report("not cached: %v", err)
	}
	// Entries of older formats for the same options are dead weight.
	for v := 1; v < tpchCacheFormat; v++ {
		os.RemoveAll(filepath.Join(root, strings.Replace(tpchEntryName(opts), "-v"+strconv.Itoa(tpchCacheFormat)+"-", "-v"+strconv.Itoa(v)+"-", 1)))
	}
	return db, nil
}

// readCacheEntry loads dir when its manifest matches want and every file
// has the recorded size and SHA-256.
func readCacheEntry(ctx context.Context, dir string, want manifest) (*DB, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestFile))
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrCache, manifestFile, err)
	}
	if m.Format != want.Format || m.Generator != want.Generator || m.Scale != want.Scale || m.Comments != want.Comments {
		return nil, fmt.Errorf("%w: manifest is for %+v", ErrCache, m)
	}
	if len(m.Files) == 0 || m.Files[0].Name != SchemaFile {
		return nil, fmt.Errorf("%w: manifest lists no %s first", ErrCache, SchemaFile)
	}
	var db *DB
	for i, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Each file is hashed as it is read: one pass.
		fh, err := os.Open(filepath.Join(dir, f.Name))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCache, err)
		}
		h := sha256.New()
		cr := &countingReader{r: io.TeeReader(fh, h)}
		if i == 0 {
			sql, rerr := io.ReadAll(cr)
			err = rerr
			if err == nil {
				var schema *catalog.Schema
				if schema, err = catalog.ParseSchema(string(sql)); err == nil {
					db = NewDB(schema)
				}
			}
		} else {
			name, _ := strings.CutSuffix(f.Name, colFileExt)
			t := db.Table(name)
			switch {
			case t == nil || t.Rows != 0 || f.Rows < 0:
				err = fmt.Errorf("%s is no table of the schema, or listed twice", f.Name)
			default:
				err = t.readColumns(cr, f.Rows)
			}
			if err == nil && t.Rows != f.Rows {
				err = fmt.Errorf("%d rows; the manifest says %d", t.Rows, f.Rows)
			}
		}
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrCache, f.Name, err)
		}
		if sum := hex.EncodeToString(h.Sum(nil)); cr.n != f.Bytes || sum != f.SHA256 {
			return nil, fmt.Errorf("%w: %s: %d bytes, sha256 %s; manifest says %d, %s", ErrCache, f.Name, cr.n, sum, f.Bytes, f.SHA256)
		}
	}
	if len(m.Files) != len(db.Tables)+1 {
		return nil, fmt.Errorf("%w: manifest lists %d tables, the schema %d", ErrCache, len(m.Files)-1, len(db.Tables))
	}
	return db, nil
}

// colFileExt names a table's column file in a cache entry.
const colFileExt = ".col"

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// writeCacheEntry writes db to a temporary directory beside dir, adds the
// manifest and renames it to dir.
func writeCacheEntry(db *DB, dir string, m manifest) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), filepath.Base(dir)+".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	err = writeFile(filepath.Join(tmp, SchemaFile), func(w io.Writer) error {
		_, err := io.WriteString(w, db.Schema.SQL())
		return err
	})
	if err != nil {
		return err
	}
	for _, t := range db.Tables {
		if err := writeFile(filepath.Join(tmp, t.Def.Name+colFileExt), t.writeColumns); err != nil {
			return err
		}
	}
	add := func(name string, rows int) error {
		size, sum, err := hashFile(filepath.Join(tmp, name))
		if err != nil {
			return err
		}
		m.Files = append(m.Files, manifestEntry{Name: name, Rows: rows, Bytes: size, SHA256: sum})
		return nil
	}
	if err := add(SchemaFile, -1); err != nil {
		return err
	}
	for _, t := range db.Tables {
		if err := add(t.Def.Name+colFileExt, t.Rows); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, manifestFile), append(b, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Rename(tmp, dir)
}

// hashFile returns the size and hex SHA-256 of a file.
func hashFile(path string) (int64, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return 0, "", err
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// lockDir takes an exclusive lock file (created with O_EXCL), waiting
// while another process holds it. The file holds the holder's PID and
// host name; a lock whose holder on this host is gone (killed mid-way, a
// test timeout) is broken at once, any other after lockStale.
func lockDir(ctx context.Context, path string) (unlock func(), err error) {
	host, _ := os.Hostname()
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%d %s\n", os.Getpid(), host)
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("datasets: %w: %w", ErrCache, err)
		}
		if st, serr := os.Stat(path); serr == nil && (time.Since(st.ModTime()) > lockStale || holderGone(path, host)) {
			os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// holderGone reports whether the lock file names a process of this host
// that no longer exists.
func holderGone(path, host string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var pid int
	var h string
	if n, _ := fmt.Sscanf(string(b), "%d %s", &pid, &h); n != 2 || h != host || pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	err = p.Signal(syscall.Signal(0))
	return errors.Is(err, os.ErrProcessDone) || errors.Is(err, syscall.ESRCH)
}
