import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

interface Step {
	name?: string;
	run?: string;
	uses?: string;
	with?: Record<string, unknown>;
	env?: Record<string, string>;
}

interface Workflow {
	on: Record<string, unknown> | string | string[];
	permissions?: Record<string, string>;
	jobs: Record<string, { permissions?: Record<string, string>; steps: Step[] }>;
}

const root = join(__dirname, '..');
const workflow = parse(
	readFileSync(join(root, '.github', 'workflows', 'publish.yml'), 'utf8'),
) as Workflow;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, any>;

const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const indexOf = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step.run ?? ''));

// Mutations that turn these red (tried): add `branches: [main]` or a `workflow_dispatch:` trigger;
// move the `npm test` step after the publish step; drop `--provenance`; drop `id-token: write`.
describe('.github/workflows/publish.yml: npm publish with provenance, on version tags, after the tests', () => {
	test('runs only when a v* tag is pushed', () => {
		expect(typeof workflow.on).toBe('object');
		expect(Object.keys(workflow.on)).toEqual(['push']);
		const push = (workflow.on as Record<string, Record<string, unknown>>).push;
		expect(Object.keys(push)).toEqual(['tags']);
		expect(push.tags).toEqual(['v*']);
	});

	test('installs from the lock file and runs npm test before it publishes', () => {
		const install = indexOf(/^npm ci\b/);
		const tests = indexOf(/^npm test\b/);
		const publish = indexOf(/^npm publish\b/);
		expect(install).toBeGreaterThanOrEqual(0);
		expect(tests).toBeGreaterThan(install);
		expect(publish).toBeGreaterThan(tests);
		// exactly one publish, and it is the last step: nothing after it can skip the tests' verdict
		expect(steps.filter((step) => /\bnpm publish\b/.test(step.run ?? ''))).toHaveLength(1);
		expect(publish).toBe(steps.length - 1);
		expect(steps.some((step) => /continue-on-error/.test(JSON.stringify(step)))).toBe(false);
	});

	test('publishes with a provenance statement, publicly, with the npm token from the secrets', () => {
		const publish = steps[indexOf(/^npm publish\b/)];
		expect(publish.run!.split(/\s+/)).toEqual(
			expect.arrayContaining(['--provenance', '--access', 'public']),
		);
		expect(publish.env?.NODE_AUTH_TOKEN).toMatch(/^\$\{\{\s*secrets\.[A-Z_]+\s*\}\}$/);
	});

	test('may request an OIDC token (id-token: write) and only read the repository', () => {
		const permissions = { ...workflow.permissions, ...Object.values(workflow.jobs)[0].permissions };
		expect(permissions['id-token']).toBe('write');
		expect(permissions.contents).toBe('read');
		expect(Object.keys(permissions).sort()).toEqual(['contents', 'id-token']);
	});

	test('uses Node 24 and the npm registry', () => {
		const setup = steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
		expect(String(setup?.with?.['node-version'])).toBe('24');
		expect(setup?.with?.['registry-url']).toBe('https://registry.npmjs.org');
	});
});

// Mutation that turns this red (tried): change `repository.url` to another repository, or the
// author's url to another owner.
describe('package.json names the public repository and the author consistently', () => {
	const repository =
		'https://github.com/n8n-nodes-hubspot-subscriptions/n8n-nodes-hubspot-subscriptions';

	test('repository, homepage, bugs and author point to the same GitHub repository and owner', () => {
		expect(pkg.repository).toEqual({ type: 'git', url: `git+${repository}.git` });
		expect(pkg.homepage).toBe(`${repository}#readme`);
		expect(pkg.bugs).toEqual({ url: `${repository}/issues` });
		expect(pkg.author.url).toBe(
			new URL(repository).origin + '/' + new URL(repository).pathname.split('/')[1],
		);
		expect(pkg.license).toBe('MIT');
		expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
		expect(pkg.dependencies ?? {}).toEqual({});
	});
});
