import { execFileSync } from 'node:child_process';
import {
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	statSync,
	writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * README "Install in n8n" → "By hand with npm": the README's own npm command, run in an empty
 * folder (a fresh ~/.n8n/nodes) with the packed package in place of its name. No network: npm
 * runs with --offline and an empty cache, so a command that needs anything but the tarball
 * (n8n-workflow and its dependency tree, for instance) fails here.
 */

const root = join(__dirname, '..');
const PACKAGE = 'n8n-nodes-hubspot-subscriptions';

/** The npm command of the README's manual route, as a user would copy it. */
function readmeInstallCommand(): string[] {
	const readme = readFileSync(join(root, 'README.md'), 'utf8');
	const section = readme.slice(
		readme.indexOf('## Install in n8n'),
		readme.indexOf('## Credentials'),
	);
	const lines = section
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line.startsWith('npm install') && line.endsWith(PACKAGE));
	if (lines.length !== 1)
		throw new Error(
			`expected one "npm install … ${PACKAGE}" line in the README's install section, found ${lines.length}`,
		);
	return lines[0].split(/\s+/);
}

/** npm with nothing from the caller's environment or ~/.npmrc that could change what it installs. */
function npm(args: string[], cwd: string, home: string) {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) if (!/^npm_/i.test(key)) env[key] = value;
	env.HOME = home;
	env.npm_config_userconfig = join(home, '.npmrc');
	env.npm_config_cache = join(home, 'npm-cache');
	env.npm_config_update_notifier = 'false';
	return execFileSync('npm', args, {
		cwd,
		env,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
}

/** Every installed package (a folder with a package.json) under node_modules, scopes included. */
function installedPackages(nodeModules: string): string[] {
	const found: string[] = [];
	const visit = (dir: string, prefix: string) => {
		if (!existsSync(dir)) return;
		for (const entry of readdirSync(dir)) {
			if (entry.startsWith('.')) continue;
			const path = join(dir, entry);
			if (!statSync(path).isDirectory()) continue;
			if (entry.startsWith('@')) {
				visit(path, `${entry}/`);
				continue;
			}
			if (existsSync(join(path, 'package.json'))) found.push(`${prefix}${entry}`);
			visit(join(path, 'node_modules'), '');
		}
	};
	visit(nodeModules, '');
	return found.sort();
}

function folderBytes(dir: string): number {
	let total = 0;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		total += entry.isDirectory() ? folderBytes(path) : statSync(path).size;
	}
	return total;
}

let work: string;
beforeAll(() => {
	if (!existsSync(join(root, 'dist', 'nodes')))
		throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
	work = mkdtempSync(join(tmpdir(), 'manual-install-'));
	writeFileSync(join(work, '.npmrc'), '');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Mutation that turns this red (tried): drop `--legacy-peer-deps` from the README's command: npm
// then needs n8n-workflow's dependency tree from the registry and fails offline (online it would
// install n8n-workflow and about 160 packages). Adding a runtime dependency to package.json also
// turns it red.
test("the README's manual npm command installs this package alone into an empty ~/.n8n/nodes", () => {
	const command = readmeInstallCommand();
	expect(command.slice(0, 2)).toEqual(['npm', 'install']);

	const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work], root, work))[0] as {
		filename: string;
	};
	const tarball = join(work, packed.filename);
	const nodesFolder = join(work, '.n8n', 'nodes');
	execFileSync('mkdir', ['-p', nodesFolder]);

	const args = [...command.slice(1, -1), tarball, '--offline', '--no-audit', '--no-fund'];
	npm(args, nodesFolder, work);

	const nodeModules = join(nodesFolder, 'node_modules');
	expect(installedPackages(nodeModules)).toEqual([PACKAGE]);
	for (const name of ['n8n-workflow', 'n8n-core', 'n8n'])
		expect(existsSync(join(nodeModules, name))).toBe(false);

	const installed = join(nodeModules, PACKAGE);
	const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
	for (const file of [pkg.main, ...pkg.n8n.nodes, ...pkg.n8n.credentials])
		expect(existsSync(join(installed, file))).toBe(true);
	// only what `files` publishes: no sources, tests or benchmark
	expect(readdirSync(installed).sort()).toEqual([
		'LICENSE',
		'README.md',
		'dist',
		'index.js',
		'package.json',
	]);
	expect(readdirSync(join(installed, 'dist')).sort()).toEqual(['credentials', 'nodes']);
	expect(folderBytes(nodeModules)).toBeLessThan(3 * 1024 * 1024);
});
