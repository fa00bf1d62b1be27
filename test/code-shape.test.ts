import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

import {
	batchReadStatusesPath,
	batchReadUnsubscribeAllPath,
	batchUnsubscribeAllPath,
	batchWriteStatusesPath,
	CONTACT_PROPERTIES_PATH,
	CONTACTS_BATCH_UPSERT_PATH,
	definitionsPath,
	generateLinksPath,
	statusPath,
	unsubscribeAllPath,
} from '../nodes/HubSpotSubscriptions/transport';

const NODES = join(__dirname, '..', 'nodes');

/** A string that names a HubSpot API path: what only transport/ may spell. */
const HUBSPOT_PATH =
	/\/(communication-preferences|crm\/v\d|statuses|definitions|unsubscribe-all|links\/generate|email\/public|oauth\/v\d)\b/;

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return entry.name.endsWith('.ts') ? [path] : [];
	});
}

/** Every string literal and template piece of a file, with its line (comments are not strings). */
function stringsOf(file: string): Array<{ line: number; text: string }> {
	const source = ts.createSourceFile(
		file,
		readFileSync(file, 'utf8'),
		ts.ScriptTarget.Latest,
		true,
	);
	const found: Array<{ line: number; text: string }> = [];
	const visit = (node: ts.Node) => {
		// an import's module name is a file, not a URL
		if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
		if (
			ts.isStringLiteral(node) ||
			ts.isNoSubstitutionTemplateLiteral(node) ||
			ts.isTemplateHead(node) ||
			ts.isTemplateMiddle(node) ||
			ts.isTemplateTail(node)
		) {
			found.push({
				line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
				text: node.text,
			});
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

// Mutation that turns this red: spell a path outside transport/ again, e.g. in
// helpers/contactProperties.ts `path: '/crm/v3/properties/contacts'` instead of the builder.
test('every HubSpot path string in nodes/ is in transport/', () => {
	const offenders: string[] = [];
	for (const file of sourceFiles(NODES)) {
		const name = relative(NODES, file).split('\\').join('/');
		if (name.startsWith('HubSpotSubscriptions/transport/')) continue;
		for (const { line, text } of stringsOf(file)) {
			if (HUBSPOT_PATH.test(text)) offenders.push(`${name}:${line} ${text}`);
		}
	}
	expect(offenders).toEqual([]);
});

test('the scan would see a path: transport/ spells them all', () => {
	const spelled = sourceFiles(join(NODES, 'HubSpotSubscriptions', 'transport'))
		.flatMap((file) => stringsOf(file))
		.filter(({ text }) => HUBSPOT_PATH.test(text));
	expect(spelled.length).toBeGreaterThanOrEqual(5);
});

const MAX_FUNCTION_LINES = 80;

// Mutation that turns this red: join the helpers of recordExternalDoubleOptIn.operation.ts's
// `execute` back into it (102 lines before they were split by job).
test(`no function in nodes/ is longer than ${MAX_FUNCTION_LINES} lines`, () => {
	const long: string[] = [];
	for (const file of sourceFiles(NODES)) {
		const source = ts.createSourceFile(
			file,
			readFileSync(file, 'utf8'),
			ts.ScriptTarget.Latest,
			true,
		);
		const visit = (node: ts.Node) => {
			if (ts.isFunctionLike(node) && 'body' in node && node.body) {
				const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
				const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
				if (last - first + 1 > MAX_FUNCTION_LINES) {
					long.push(`${relative(NODES, file)}:${first + 1} ${last - first + 1} lines`);
				}
			}
			ts.forEachChild(node, visit);
		};
		visit(source);
	}
	expect(long).toEqual([]);
});

test("the path builders give HubSpot's paths, the address encoded", () => {
	const email = 'a+b@example.com';
	expect([
		definitionsPath('2026-09'),
		statusPath('v4', email),
		batchReadStatusesPath('2026-03'),
		batchWriteStatusesPath('2026-09'),
		unsubscribeAllPath('2026-09', email),
		batchUnsubscribeAllPath('v4'),
		batchReadUnsubscribeAllPath('2026-09'),
		generateLinksPath('v4'),
		CONTACT_PROPERTIES_PATH,
		CONTACTS_BATCH_UPSERT_PATH,
	]).toEqual([
		'/communication-preferences/2026-09/definitions',
		'/communication-preferences/v4/statuses/a%2Bb%40example.com',
		'/communication-preferences/2026-03/statuses/batch/read',
		'/communication-preferences/2026-09/statuses/batch/write',
		'/communication-preferences/2026-09/statuses/a%2Bb%40example.com/unsubscribe-all',
		'/communication-preferences/v4/statuses/batch/unsubscribe-all',
		'/communication-preferences/2026-09/statuses/batch/unsubscribe-all/read',
		'/communication-preferences/v4/links/generate',
		'/crm/v3/properties/contacts',
		'/crm/v3/objects/contacts/batch/upsert',
	]);
});
