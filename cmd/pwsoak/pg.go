package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cluster is the run's own PostgreSQL cluster: initdb'd in a temporary folder, listening on a free
// loopback port and a socket in that folder, so the run can restart it without touching anything else.
type cluster struct {
	bin  string // folder of initdb, pg_ctl, createdb
	dir  string // data directory
	sock string
	log  string
	port int
	cred *syscall.Credential // set when running as root: Postgres refuses to run as root
}

// findPGBin finds the PostgreSQL server binaries: PG_BINDIR, then `pg_config --bindir`, then initdb on
// the PATH, then the newest version in Debian's layout (/usr/lib/postgresql/N/bin).
func findPGBin() (string, error) {
	has := func(dir string) bool {
		_, err := os.Stat(filepath.Join(dir, "initdb"))
		_, err2 := os.Stat(filepath.Join(dir, "pg_ctl"))
		return dir != "" && err == nil && err2 == nil
	}
	if d := os.Getenv("PG_BINDIR"); d != "" {
		if has(d) {
			return d, nil
		}
		return "", fmt.Errorf("PG_BINDIR=%s has no initdb and pg_ctl", d)
	}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		if d := strings.TrimSpace(string(out)); has(d) {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil && has(filepath.Dir(real)) {
			return filepath.Dir(real), nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries found (initdb, pg_ctl): install PostgreSQL 15 (Debian: postgresql-15) or set PG_BINDIR")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// newCluster initdb's a cluster under root (which must exist) and returns it, not started.
func newCluster(ctx context.Context, root string, port int) (*cluster, error) {
	bin, err := findPGBin()
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: filepath.Join(root, "pg", "data"), sock: filepath.Join(root, "pg"),
		log: filepath.Join(root, "pg", "postgres.log"), port: port}
	if err := os.MkdirAll(c.sock, 0o700); err != nil {
		return nil, err
	}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse root: run them as the postgres user (or PG_USER).
		name := os.Getenv("PG_USER")
		if name == "" {
			name = "postgres"
		}
		u, err := user.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs another user: %w (set PG_USER)", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chmod(root, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chown(c.sock, uid, gid); err != nil {
			return nil, err
		}
	}
	if err := c.run(ctx, "initdb", "-D", c.dir, "-U", "soak", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 200\n"+
		"shared_buffers = 128MB\nfsync = on\nlog_min_messages = warning\n", port, c.sock)
	f, err := os.OpenFile(filepath.Join(c.dir, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return nil, err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return c, err
}

// run runs one of the cluster's binaries as the cluster's user, in its own process group (so a Ctrl-C
// on the terminal reaches only pwsoak, which then stops everything in order).
func (c *cluster) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	cmd.Dir = c.sock
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return nil
}

func (c *cluster) start(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "-D", c.dir, "-l", c.log, "-w", "-t", "120", "start")
}

// restart is the fault: a fast shutdown (open connections are cut) and a start.
func (c *cluster) restart(ctx context.Context) error {
	return c.run(ctx, "pg_ctl", "-D", c.dir, "-l", c.log, "-w", "-t", "120", "-m", "fast", "restart")
}

// stop stops the cluster; it does not take the run's context, which may be cancelled already.
func (c *cluster) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := c.run(ctx, "pg_ctl", "-D", c.dir, "-w", "-m", "fast", "stop"); err != nil {
		return c.run(ctx, "pg_ctl", "-D", c.dir, "-w", "-m", "immediate", "stop")
	}
	return nil
}

func (c *cluster) createDB(ctx context.Context, name string) error {
	return c.run(ctx, "createdb", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "soak", name)
}

func (c *cluster) dsn(db string) string {
	return fmt.Sprintf("postgres://soak@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}
