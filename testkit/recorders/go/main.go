// A runbook-schema migration runner on the official Go driver, written the way such runners
// usually are: the file is read as bytes (os.ReadFile), its checksum is the SHA-256 of those
// bytes, its statements run in one write transaction, and the outcome is stored as
// (:Migration {filename, status, appliedAt, executionTime, checksum, description}) with
// "FAILED: " + the error's message as the description of a failure.
// Usage and options: see ../README.md.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

type options struct {
	uri, user, label, form string
	timeout                time.Duration
	keepGoing              bool
	files                  []string
}

func parse(args []string) options {
	o := options{user: "neo4j", label: "Migration", form: "message"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--uri":
			i++
			o.uri = args[i]
		case "--user":
			i++
			o.user = args[i]
		case "--label":
			i++
			o.label = args[i]
		case "--form":
			i++
			o.form = args[i]
		case "--timeout-ms":
			i++
			ms, err := strconv.Atoi(args[i])
			if err != nil {
				fmt.Fprintln(os.Stderr, "record: --timeout-ms needs a number of milliseconds")
				os.Exit(2)
			}
			o.timeout = time.Duration(ms) * time.Millisecond
		case "--keep-going":
			o.keepGoing = true
		default:
			o.files = append(o.files, args[i])
		}
	}
	return o
}

// describe is the text a runner stores: the server's message, its code and message, or err.Error().
func describe(err error, form string) string {
	var neo *neo4j.Neo4jError
	if !errors.As(err, &neo) || form == "string" {
		return err.Error()
	}
	if form == "code" {
		return neo.Code + ": " + neo.Msg
	}
	return neo.Msg
}

var statementEnd = regexp.MustCompile(`;[ \t]*\r?\n|;[ \t]*$`)

func statementsOf(text string) []string {
	var out []string
	for _, part := range statementEnd.Split(text, -1) {
		if s := strings.TrimSpace(part); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func apply(ctx context.Context, session neo4j.SessionWithContext, o options, text string) error {
	var config []func(*neo4j.TransactionConfig)
	if o.timeout > 0 {
		config = append(config, neo4j.WithTxTimeout(o.timeout))
	}
	tx, err := session.BeginTransaction(ctx, config...)
	if err != nil {
		return err
	}
	defer tx.Close(ctx)
	for _, statement := range statementsOf(text) {
		result, err := tx.Run(ctx, statement, nil)
		if err == nil {
			_, err = result.Consume(ctx)
		}
		if err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

func main() {
	o := parse(os.Args[1:])
	ctx := context.Background()
	driver, err := neo4j.NewDriverWithContext(o.uri, neo4j.BasicAuth(o.user, os.Getenv("NEO4J_PASSWORD"), ""))
	if err != nil {
		fmt.Fprintln(os.Stderr, "record:", err)
		os.Exit(2)
	}
	defer driver.Close(ctx)
	label := "`" + strings.ReplaceAll(o.label, "`", "``") + "`"
	failed := false
	for _, filename := range o.files {
		bytes, err := os.ReadFile(filename)
		if err != nil {
			fmt.Fprintln(os.Stderr, "record:", err)
			os.Exit(2)
		}
		sum := sha256.Sum256(bytes)
		checksum := hex.EncodeToString(sum[:])
		session := driver.NewSession(ctx, neo4j.SessionConfig{})
		applied, err := session.Run(ctx, "MATCH (m:"+label+" {filename: $filename, status: 'SUCCESS'}) RETURN m.checksum AS checksum ORDER BY m.appliedAt DESC LIMIT 1",
			map[string]any{"filename": filename})
		if err != nil {
			fmt.Fprintln(os.Stderr, "record:", err)
			os.Exit(2)
		}
		rows, err := applied.Collect(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "record:", err)
			os.Exit(2)
		}
		record := map[string]any{"filename": filename, "checksum": checksum, "status": "SUCCESS", "description": filepath.Base(filename)}
		var elapsed int64
		if len(rows) > 0 {
			if recorded, _ := rows[0].Get("checksum"); recorded == checksum {
				fmt.Printf("UNCHANGED %s\n", filename)
				session.Close(ctx)
				continue
			}
			record["status"] = "FAILED"
			record["description"] = "FAILED: Migration " + filename + " has been modified after application!"
		} else {
			started := time.Now()
			if err := apply(ctx, session, o, string(bytes)); err != nil {
				record["status"] = "FAILED"
				record["description"] = "FAILED: " + describe(err, o.form)
			}
			elapsed = time.Since(started).Milliseconds()
		}
		if _, err := session.Run(ctx, "CREATE (m:"+label+") SET m = $record, m.appliedAt = datetime(), m.executionTime = $ms",
			map[string]any{"record": record, "ms": elapsed}); err != nil {
			fmt.Fprintln(os.Stderr, "record:", err)
			os.Exit(2)
		}
		session.Close(ctx)
		fmt.Printf("%s %s %d ms\n", record["status"], filename, elapsed)
		if record["status"] == "FAILED" {
			fmt.Println(record["description"])
			failed = true
			if !o.keepGoing {
				break
			}
		}
	}
	if failed {
		os.Exit(1)
	}
}
