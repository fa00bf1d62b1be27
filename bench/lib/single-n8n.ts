/**
 * n8n's own nodes (test/base-nodes) bring their own copies of n8n-workflow and @n8n/di.
 * Inside n8n there is one of each; make every require of them resolve to the package's
 * copy, as jest's moduleNameMapper does for the tests. Import this before anything else.
 */
import Module from 'node:module';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const single: Record<string, string> = {
	'n8n-workflow': require.resolve('n8n-workflow', { paths: [root] }),
	'@n8n/di': require.resolve('@n8n/di', { paths: [root] }),
};

type Resolve = (request: string, ...rest: unknown[]) => string;
const moduleWithResolver = Module as unknown as { _resolveFilename: Resolve };
const original = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]) {
	return single[request] ?? original.call(this, request, ...rest);
};
