package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// checkOut refuses, before any work, to write over an existing file unless
// --force was given ("-" and "" are stdout; devices and pipes are
// written as asked). collect does not use it: it
// appends to its --out on purpose, to resume.
func checkOut(path string, force bool) error {
	if path == "" || path == "-" || force {
		return nil
	}
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return nil // /dev/null, a named pipe: writing over is the point
		}
		return usagef("%s exists: give --force to overwrite it", path)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// writeFile writes a file under a temporary name and renames it when
// complete, so a failed or interrupted write leaves no half file.
func writeFile(path string, write func(io.Writer) error) (err error) {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
