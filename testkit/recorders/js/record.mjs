// A runbook-schema migration runner on the official JavaScript driver, written the way such
// runners usually are: the file is read as UTF-8 text, its checksum is the SHA-256 of that text,
// its statements run in one write transaction, and the outcome is stored as
// (:Migration {filename, status, appliedAt, executionTime, checksum, description}) with
// `FAILED: ${error.message}` as the description of a failure.
// Usage and options: see ../README.md.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import neo4j from 'neo4j-driver'

const options = { uri: '', user: 'neo4j', label: 'Migration', form: 'message', timeoutMs: 0, keepGoing: false, files: [] }
const args = process.argv.slice(2)
while (args.length) {
  const arg = args.shift()
  if (arg === '--uri') options.uri = args.shift()
  else if (arg === '--user') options.user = args.shift()
  else if (arg === '--label') options.label = args.shift()
  else if (arg === '--form') options.form = args.shift()
  else if (arg === '--timeout-ms') options.timeoutMs = Number(args.shift())
  else if (arg === '--keep-going') options.keepGoing = true
  else options.files.push(arg)
}

// The text a runner stores: the driver's message, its code and message, or the error's own string form.
function describe (error) {
  if (options.form === 'code') return `${error.code}: ${error.message}`
  if (options.form === 'string') return String(error)
  return error.message
}

function statementsOf (text) {
  return text.split(/;[ \t]*\r?\n|;[ \t]*$/).map(s => s.trim()).filter(s => s.length > 0)
}

const label = '`' + options.label.replaceAll('`', '``') + '`'
const driver = neo4j.driver(options.uri, neo4j.auth.basic(options.user, process.env.NEO4J_PASSWORD))
let failed = false
try {
  for (const filename of options.files) {
    const text = readFileSync(filename, 'utf8')
    const checksum = createHash('sha256').update(text).digest('hex')
    const session = driver.session()
    try {
      const applied = await session.run(
        `MATCH (m:${label} {filename: $filename, status: 'SUCCESS'}) RETURN m.checksum AS checksum ORDER BY m.appliedAt DESC LIMIT 1`,
        { filename })
      const record = { filename, checksum, status: 'SUCCESS', description: filename.split('/').pop(), executionTime: 0 }
      const started = Date.now()
      if (applied.records.length > 0) {
        if (applied.records[0].get('checksum') === checksum) {
          console.log(`UNCHANGED ${filename}`)
          continue
        }
        record.status = 'FAILED'
        record.description = `FAILED: Migration ${filename} has been modified after application!`
      } else {
        const tx = session.beginTransaction(options.timeoutMs > 0 ? { timeout: options.timeoutMs } : undefined)
        try {
          for (const statement of statementsOf(text)) await tx.run(statement)
          await tx.commit()
        } catch (error) {
          if (tx.isOpen()) await tx.rollback().catch(() => {})
          record.status = 'FAILED'
          record.description = `FAILED: ${describe(error)}`
        }
        record.executionTime = Date.now() - started
      }
      await session.run(
        `CREATE (m:${label}) SET m = $record, m.appliedAt = datetime(), m.executionTime = toInteger($record.executionTime)`,
        { record })
      console.log(`${record.status} ${filename} ${record.executionTime} ms`)
      if (record.status === 'FAILED') {
        console.log(record.description)
        failed = true
        if (!options.keepGoing) break
      }
    } finally {
      await session.close()
    }
  }
} finally {
  await driver.close()
}
process.exitCode = failed ? 1 : 0
