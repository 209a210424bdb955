/**
 * Preloaded into a CLI child (`node --import <this file> bin/edora.js …`):
 * registers the test-only "toy" method (test/adapters/toy-method.ts) the way
 * a user's own module would, so the CLI runs it with no edit to edora.
 *
 *   EDORA_TOY_HOOKS  a file: at exit, the toy's hook calls are written there
 *                    as JSON ({ steps: [...], epochs: [...] })
 */
import { writeFileSync } from 'node:fs';
import { registerMethod } from '../../src/index.js';
import { hookCalls, toy } from '../adapters/toy-method.js';

registerMethod(toy);

const report = process.env['EDORA_TOY_HOOKS'];
if (report) process.on('exit', () => writeFileSync(report, JSON.stringify(hookCalls)));
