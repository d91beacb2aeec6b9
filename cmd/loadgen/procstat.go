package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// vmRSS reads a process's resident set size in KiB from /proc/<pid>/status.
func vmRSS(pid int) (int64, error) {
	return procStatusKB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
}

func procStatusKB(path, key string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key); ok {
			f := strings.Fields(rest)
			if len(f) == 0 {
				break
			}
			return strconv.ParseInt(f[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("%s: no %s line", path, key)
}

// userHZ is the kernel's clock tick for /proc times: 100 on every Linux
// architecture Go supports.
const userHZ = 100

// procCPU is a process's user+system CPU time so far, from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state is field 3, utime field 14, stime field 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad times", pid)
	}
	return time.Duration(u+s) * time.Second / userHZ, nil
}

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter measures CPU use over a window: this process's, and the
// server's when its pid is known. The figures are in cores (1.0 = one core
// busy the whole window).
type cpuMeter struct {
	pid       int
	start     time.Time
	self, srv time.Duration
	srvOK     bool
	machine   time.Duration
}

func startCPU(pid int) *cpuMeter {
	m := &cpuMeter{pid: pid, start: time.Now(), self: selfCPU(), machine: machineBusy()}
	if pid > 0 {
		if d, err := procCPU(pid); err == nil {
			m.srv, m.srvOK = d, true
		}
	}
	return m
}

// machineBusy is the CPU time all processes have used (every state of
// /proc/stat's cpu line but idle and iowait).
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		// user nice system idle iowait irq softirq steal guest guest_nice;
		// guest time is already counted in user.
		if i != 3 && i != 4 && i < 8 {
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / userHZ
}

// stop returns the cores used since start by this process, by the server
// (-1 when unknown), and by everything else on the machine (the database
// server, and whatever else runs: a busy neighbour skews a run).
func (m *cpuMeter) stop() (self, server, other float64) {
	wall := time.Since(m.start).Seconds()
	self = (selfCPU() - m.self).Seconds() / wall
	server = -1
	if m.srvOK {
		if d, err := procCPU(m.pid); err == nil {
			server = (d - m.srv).Seconds() / wall
		}
	}
	all := (machineBusy() - m.machine).Seconds() / wall
	other = max(0, all-self-max(server, 0))
	return self, server, other
}

func fmtCores(v float64) string {
	if v < 0 {
		return "?"
	}
	return fmt.Sprintf("%.2f", v)
}

// scrapeMetrics reads chosen unlabelled gauges from the dashboard's
// /metrics. It returns nil when /metrics cannot be read (it needs a
// signed-in operator or a token once accounts exist).
func scrapeMetrics(client *http.Client, base string, names ...string) map[string]float64 {
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 2 && want[f[0]] {
			if v, err := strconv.ParseFloat(f[1], 64); err == nil {
				out[f[0]] = v
			}
		}
	}
	return out
}
