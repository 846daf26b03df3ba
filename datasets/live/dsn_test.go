package live

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct{ dsn, want, secret string }{
		{"user:secret@tcp(127.0.0.1:3306)/db", "user:xxxxx@tcp(127.0.0.1:3306)/db", "secret"},
		{"user:p@ss:w/rd@tcp(host:3306)/db?charset=utf8mb4", "user:xxxxx@tcp(host:3306)/db?charset=utf8mb4", "p@ss:w/rd"},
		{"user:s3cr3t@/db", "user:xxxxx@/db", "s3cr3t"},
		{"user:pw@unix(/var/run/mysqld/mysqld.sock)/db?loc=Europe/Paris", "user:xxxxx@unix(/var/run/mysqld/mysqld.sock)/db?loc=Europe/Paris", "pw"},
		{"user@tcp(host)/db", "user@tcp(host)/db", ""},
		{"user:@tcp(host)/db", "user:xxxxx@tcp(host)/db", ""},
		{"/db", "/db", ""},
		{"mysql://user:top%40secret@host:3306/db", "mysql://user:xxxxx@host:3306/db", "top%40secret"},
		{"mysql://user@host/db", "mysql://user@host/db", ""},
		{"garbage:hunter2@nowhere", "garbage:xxxxx@nowhere", "hunter2"},
		{"", "", ""},
		{"root:S3cretPW/db", "root:xxxxx/db", "S3cretPW"},
		{"root:S3cretPW", "root:xxxxx", "S3cretPW"},
		{"tcp(127.0.0.1:3306)/db", "tcp(127.0.0.1:3306)/db", ""},
		{"root:pw(x)/db", "root:xxxxx/db", "pw(x)"},
	} {
		got := RedactDSN(tc.dsn)
		if got != tc.want {
			t.Errorf("RedactDSN(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
		if tc.secret != "" && strings.Contains(got, tc.secret) {
			t.Errorf("RedactDSN(%q) leaks %q", tc.dsn, tc.secret)
		}
		// Whatever the driver takes to be the password must be gone.
		if cfg, err := mysql.ParseDSN(tc.dsn); err == nil && cfg.Passwd != "" && strings.Contains(got, cfg.Passwd) {
			t.Errorf("RedactDSN(%q) leaks the driver's password %q", tc.dsn, cfg.Passwd)
		}
	}
}

func FuzzRedactDSN(f *testing.F) {
	f.Add("user:secret@tcp(127.0.0.1:3306)/db")
	f.Add("u:a@b:c/d@tcp(h)/x?y=z/w")
	f.Fuzz(func(t *testing.T, dsn string) {
		got := RedactDSN(dsn)
		cfg, err := mysql.ParseDSN(dsn)
		if err == nil && len(cfg.Passwd) >= 3 && !strings.Contains(redactMark, cfg.Passwd) &&
			strings.Count(got, cfg.Passwd) > strings.Count(strings.Replace(dsn, cfg.Passwd, "", 1), cfg.Passwd) {
			t.Fatalf("RedactDSN(%q) = %q keeps password %q", dsn, got, cfg.Passwd)
		}
	})
}

func TestOpenErrorsHidePassword(t *testing.T) {
	const secret = "Sup3r-S3cret"
	var log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	// Port 9 (discard) on loopback: nothing listens, the dial fails fast.
	_, _, err := Open(ctx, "bob:"+secret+"@tcp(127.0.0.1:9)/db?timeout=1s", OpenOptions{Log: &log, CallTimeout: 2 * time.Second})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if strings.Contains(err.Error(), secret) || strings.Contains(log.String(), secret) {
		t.Errorf("password leaked: err=%q log=%q", err, log.String())
	}
	if !strings.Contains(err.Error(), "bob:xxxxx@") {
		t.Errorf("error does not name the redacted DSN: %v", err)
	}
	_, _, err = Open(ctx, "bob:"+secret+"@tcp(127.0.0.1:9)/db?badparam=%zz", OpenOptions{})
	if !errors.Is(err, ErrDSN) || strings.Contains(err.Error(), secret) {
		t.Errorf("bad DSN: err = %v", err)
	}
}

func TestRedactedErrorUnwraps(t *testing.T) {
	base := errors.New("dial tcp: password=hunter2 refused")
	err := redact("connect", base, "hunter2")
	if strings.Contains(err.Error(), "hunter2") || !errors.Is(err, base) {
		t.Errorf("redact: %v", err)
	}
}

func TestFlavourOf(t *testing.T) {
	for v, want := range map[string]Flavour{
		"10.11.6-MariaDB-0+deb12u1-log": FlavourMariaDB,
		"5.5.5-10.6.12-MariaDB":         FlavourMariaDB,
		"8.0.36":                        FlavourMySQL,
		"8.4.0-commercial":              FlavourMySQL,
	} {
		if got := FlavourOf(v); got != want {
			t.Errorf("FlavourOf(%q) = %v, want %v", v, got, want)
		}
	}
}
