// Command khabar is the whole platform in one binary: site, newsroom and
// jobs. See "khabar help".
package main

import (
	"context"
	"os"

	"khabar/internal/app"
)

func main() {
	os.Exit(app.Main(context.Background(), os.Args[1:], app.IO{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
}
