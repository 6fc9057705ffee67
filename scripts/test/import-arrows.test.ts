import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkFile, checkRepository, importsOf } from '../lib/import-arrows.js'

const root = join(fileURLToPath(import.meta.url), '..', '..', '..')
const t = suite('import arrows')

t('the repository follows simulators -> edge -> hardware, cloud -> hardware', () => {
  const violations = checkRepository(root)
  assert.equal(violations, [], violations.map((v) => `${v.file}: ${v.specifier}: ${v.why}`).join('\n'))
})

t('the checker catches each wrong arrow', () => {
  const bad: Array<[string, string]> = [
    ['cloud/src/x.ts', '@relais/edge'],
    ['cloud/test/x.test.ts', '@relais/simulators'],
    ['hardware/src/x.ts', '@relais/cloud'],
    ['hardware/src/x.ts', '@relais/edge'],
    ['edge/src/x.ts', '@relais/cloud'],
    ['simulators/src/x.ts', '@relais/cloud'],
    ['cloud/src/a/b.ts', '../../../edge/src/index.js'],
    ['hardware/src/x.ts', '../../scripts/testkit/services.js'],
    ['cloud/src/x.ts', '../../scripts/testkit/services.js'],
  ]
  for (const [file, spec] of bad) assert.is(checkFile(file, [spec]).length, 1, `${file} -> ${spec}`)
  const good: Array<[string, string]> = [
    ['cloud/src/x.ts', '@relais/hardware'],
    ['edge/src/x.ts', '@relais/hardware'],
    ['simulators/src/x.ts', '@relais/edge'],
    ['cloud/test/x.test.ts', '../../scripts/testkit/services.js'],
    ['cloud/src/a/b.ts', '../c.js'],
    ['hardware/src/x.ts', 'node:fs'],
  ]
  for (const [file, spec] of good) assert.is(checkFile(file, [spec]).length, 0, `${file} -> ${spec}`)
})

t('import specifiers are found in every syntax', () => {
  const src = `import a from 'a'\nimport { b } from "b"\nimport type { C } from 'c'\nexport * from './d.js'\nconst e = await import('e')\nimport 'f'\n`
  assert.equal(importsOf(src), ['a', 'b', 'c', './d.js', 'e', 'f'])
})

t.run()
