"""A runbook-schema migration runner on the official Python driver, written the way such runners
usually are: the file is opened as text (UTF-8, undecodable bytes replaced, universal newlines),
its checksum is the SHA-256 of that text, its statements run in one write transaction, and the
outcome is stored as (:Migration {filename, status, appliedAt, executionTime, checksum,
description}) with f"FAILED: {error}" as the description of a failure.
Usage and options: see ../README.md."""

import hashlib
import logging
import os
import re
import sys
import time

import neo4j


def parse(argv):
    options = {"uri": "", "user": "neo4j", "label": "Migration", "form": "message", "timeout_ms": 0, "keep_going": False, "files": []}
    args = list(argv)
    while args:
        arg = args.pop(0)
        if arg == "--uri":
            options["uri"] = args.pop(0)
        elif arg == "--user":
            options["user"] = args.pop(0)
        elif arg == "--label":
            options["label"] = args.pop(0)
        elif arg == "--form":
            options["form"] = args.pop(0)
        elif arg == "--timeout-ms":
            options["timeout_ms"] = int(args.pop(0))
        elif arg == "--keep-going":
            options["keep_going"] = True
        else:
            options["files"].append(arg)
    return options


def describe(error, form):
    """The text a runner stores: the driver's message, its code and message, or str(error)."""
    if form == "code":
        return f"{error.code}: {error.message}"
    if form == "string":
        return str(error)
    return error.message


def statements_of(text):
    return [s.strip() for s in re.split(r";[ \t]*\n|;[ \t]*$", text) if s.strip()]


def main():
    # The driver logs the server's notifications (an unknown label, say) as warnings.
    logging.getLogger("neo4j").setLevel(logging.ERROR)
    options = parse(sys.argv[1:])
    label = "`" + options["label"].replace("`", "``") + "`"
    failed = False
    with neo4j.GraphDatabase.driver(options["uri"], auth=(options["user"], os.environ["NEO4J_PASSWORD"])) as driver:
        for filename in options["files"]:
            with open(filename, encoding="utf-8", errors="replace") as f:
                text = f.read()
            checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
            with driver.session() as session:
                applied = session.run(
                    f"MATCH (m:{label} {{filename: $filename, status: 'SUCCESS'}}) "
                    "RETURN m.checksum AS checksum ORDER BY m.appliedAt DESC LIMIT 1",
                    filename=filename,
                ).single()
                record = {"filename": filename, "checksum": checksum, "status": "SUCCESS", "description": os.path.basename(filename)}
                started = time.monotonic()
                if applied is not None:
                    if applied["checksum"] == checksum:
                        print(f"UNCHANGED {filename}")
                        continue
                    record["status"] = "FAILED"
                    record["description"] = f"FAILED: Migration {filename} has been modified after application!"
                    elapsed_ms = 0
                else:
                    timeout = options["timeout_ms"] / 1000 if options["timeout_ms"] > 0 else None
                    tx = session.begin_transaction(timeout=timeout)
                    try:
                        for statement in statements_of(text):
                            tx.run(statement).consume()
                        tx.commit()
                    except neo4j.exceptions.Neo4jError as error:
                        if not tx.closed():
                            tx.rollback()
                        record["status"] = "FAILED"
                        record["description"] = f"FAILED: {describe(error, options['form'])}"
                    elapsed_ms = int((time.monotonic() - started) * 1000)
                session.run(
                    f"CREATE (m:{label}) SET m = $record, m.appliedAt = datetime(), m.executionTime = $ms",
                    record=record,
                    ms=elapsed_ms,
                ).consume()
                print(f"{record['status']} {filename} {elapsed_ms} ms")
                if record["status"] == "FAILED":
                    print(record["description"])
                    failed = True
                    if not options["keep_going"]:
                        break
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
