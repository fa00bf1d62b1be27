#!/usr/bin/env node
// Runs n8n's community package scanner (@n8n/scan-community-package) on this package as it
// would be published: its ESLint checks on the source (package.json, nodes/, credentials/)
// and on the packed tarball's compiled JavaScript. The scanner's own CLI downloads a
// published version from npm; here the same checks run on `npm pack` of the working tree.
// Also checks what the tarball holds: every node and credential listed in package.json,
// their icons, and no runtime dependency.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
	SOURCE_FILE_PATTERNS,
	analyzePackage,
} from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(join(tmpdir(), 'scan-'));
const problems = [];

try {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: root,
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		}),
	)[0];
	const unpacked = join(work, 'package');
	execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', work]);
	console.log(`Packed ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes`);

	const pkg = JSON.parse(readFileSync(join(unpacked, 'package.json'), 'utf8'));
	if (Object.keys(pkg.dependencies ?? {}).length)
		problems.push(`runtime dependencies: ${Object.keys(pkg.dependencies).join(', ')}`);
	for (const file of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
		if (!existsSync(join(unpacked, file))) problems.push(`tarball lacks ${file}`);
		const source = readFileSync(join(unpacked, file), 'utf8');
		for (const [, icon] of source.matchAll(/file:([\w.-]+\.(?:svg|png))/g)) {
			if (!existsSync(join(unpacked, dirname(file), icon)))
				problems.push(`tarball lacks the icon ${icon} of ${file}`);
		}
	}
	const leaked = packed.files
		.map((entry) => entry.path)
		.filter((path) => /(^|\/)(test|node_modules|\.n8n)|\.ts$(?<!\.d\.ts)/.test(path));
	if (leaked.length)
		problems.push(`tarball holds files it should not: ${leaked.slice(0, 5).join(', ')}`);

	for (const [label, dir, patterns] of [
		['source', root, SOURCE_FILE_PATTERNS],
		['tarball', unpacked, ['**/*.js', 'package.json']],
	]) {
		const result = await analyzePackage(dir, patterns);
		if (result.passed) console.log(`n8n scanner, ${label}: passed`);
		else problems.push(`n8n scanner, ${label}: ${result.message}\n${result.details ?? ''}`);
	}
} finally {
	rmSync(work, { recursive: true, force: true });
}

if (problems.length) {
	console.error(problems.map((problem) => `✖ ${problem}`).join('\n'));
	process.exit(1);
}
console.log(
	'Package scan passed: no runtime dependencies, every node, credential and icon packed.',
);
