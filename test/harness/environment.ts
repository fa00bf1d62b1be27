import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * n8n reads its settings from the environment when its classes are first used: give every
 * test file a throw-away user folder and a fixed encryption key before n8n-core loads.
 */
export function prepareN8nEnvironment() {
	process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-hubspot-test-'));
	process.env.N8N_ENCRYPTION_KEY ??= 'test-encryption-key-not-a-secret';
	process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
	process.env.N8N_LOG_LEVEL ??= 'silent';
}

prepareN8nEnvironment();
