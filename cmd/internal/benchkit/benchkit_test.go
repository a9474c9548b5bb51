package benchkit

import (
	"os"
	"path/filepath"
	"testing"
)

func TestProcReadingsOfThisProcess(t *testing.T) {
	st, err := ReadProcStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.PPID != os.Getppid() {
		t.Errorf("PPID = %d, want %d", st.PPID, os.Getppid())
	}
	rss, hwm, err := RSS(os.Getpid())
	if err != nil || rss <= 0 || hwm < rss {
		t.Errorf("RSS = %d, HWM = %d, %v: want 0 < RSS <= HWM", rss, hwm, err)
	}
	if _, _, err := RSS(-1); err == nil {
		t.Error("RSS of no process: want an error")
	}
}

func TestTailAndServerErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	log := `{"status":200,"route":"/a"}
{"status":500,"route":"/api/v1/dossiers"}
{"status":503,"route":"/api/v1/dossiers"}
{"status":404,"route":"/b"}
`
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := Tail(path, 1); got != `{"status":404,"route":"/b"}` {
		t.Errorf("Tail = %q", got)
	}
	errs := ServerErrors(path)
	if len(errs) != 1 || errs["/api/v1/dossiers"] != 2 {
		t.Errorf("ServerErrors = %v, want 2 on /api/v1/dossiers", errs)
	}
}

func TestServerEnvDropsTheParentsSettings(t *testing.T) {
	t.Setenv("MOTCUA_DATABASE_URL", "postgres://elsewhere/prod")
	env := ServerEnv("127.0.0.1:1", "sqlite:/tmp/x.db")
	n := 0
	for _, kv := range env {
		if len(kv) > 20 && kv[:20] == "MOTCUA_DATABASE_URL=" {
			n++
			if kv != "MOTCUA_DATABASE_URL=sqlite:/tmp/x.db" {
				t.Errorf("server gets %s", kv)
			}
		}
	}
	if n != 1 {
		t.Errorf("MOTCUA_DATABASE_URL appears %d times", n)
	}
}
