package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEstimateStreams feeds estimate --in through a named pipe, as
// `tail -F | cardinal estimate --in -` would, and reads each result
// before the next statement is written: a result is flushed as soon as
// its ';' arrives, and a statement may span lines.
func TestEstimateStreams(t *testing.T) {
	dir := t.TempDir()
	logPath, model := filepath.Join(dir, "l.jsonl"), filepath.Join(dir, "h.model")
	genLog(t, logPath, "5", "1", false)
	var stderr bytes.Buffer
	if err := runTrain(context.Background(), []string{"--dataset", "flights", "--log", logPath, "--model", "histogram", "--out", model}, io.Discard, &stderr); err != nil {
		t.Fatalf("train: %v\n%s", err, stderr.String())
	}
	fifo := filepath.Join(dir, "in.sql")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := runEstimate(ctx, []string{"--model", model, "--in", fifo, "--format", "jsonl"}, outW, io.Discard)
		outW.CloseWithError(err)
		done <- err
	}()
	in, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	results := bufio.NewReader(outR)
	for _, stmt := range []string{
		"SELECT COUNT(*)\nFROM airports\n;\n",
		"SELECT COUNT(*) FROM airports WHERE state = 'TX'; -- a comment; after\n",
	} {
		if _, err := in.WriteString(stmt); err != nil {
			t.Fatal(err)
		}
		line, err := results.ReadString('\n') // blocks until this statement's result
		if err != nil {
			t.Fatalf("after %q: %v", stmt, err)
		}
		var res estimateResult
		if err := json.Unmarshal([]byte(line), &res); err != nil || res.Rows == nil || !strings.HasPrefix(res.SQL, "SELECT COUNT(*)") {
			t.Fatalf("result %q: %v", line, err)
		}
	}
	in.Close()
	if rest, _ := io.ReadAll(results); len(rest) != 0 {
		t.Errorf("more output after the last statement: %q", rest)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
