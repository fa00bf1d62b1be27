// The editor of a real n8n (2.x; E2E_N8N_MAJOR=1 for 1.x) in Debian's Chromium, driven by
// playwright-core: the owner setup form, the node panel (search "HubSpot Subscriptions", its
// resources and operations), the subscription-type dropdown filled from the HubSpot sandbox through
// the "HubSpot sandbox" credential, and a status set from the editor. `npm run test:browser` saves the
// README's screenshots into docs/images/ (see SHOTS below).
// Needs /usr/bin/chromium (scripts/install-chromium.sh). Run through scripts/e2e.mjs.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startHubSpotStandIn } from '../test/hubspot-standin/index.ts';
import {
	HUBSPOT_CREDENTIAL_NAME,
	HUBSPOT_CREDENTIAL_TYPE,
	PACKAGE_NAME,
	credentialFor,
	importJson,
	packageCredentialTypes,
	packageNodeTypes,
	prepareN8nInstance,
	sleep,
	startN8n,
	waitForN8n,
} from './lib/n8n.mjs';
import { ROOT } from './lib/runtime.mjs';

const require = createRequire(import.meta.url);
const MAJOR = process.env.E2E_N8N_MAJOR ?? '2';
const NODE = process.env.E2E_NODE ?? '24';
const KEEP = process.env.E2E_KEEP === '1';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Screenshots: E2E_SCREENSHOT_DIR (npm run test:browser sets docs/images, the README's), else
// test-results/screenshots/n8n-<major> (git-ignored), so test runs leave the committed images alone.
const SHOTS =
	process.env.E2E_SCREENSHOTS === '0'
		? undefined
		: process.env.E2E_SCREENSHOT_DIR
			? path.resolve(ROOT, process.env.E2E_SCREENSHOT_DIR)
			: path.join(ROOT, 'test-results', 'screenshots', `n8n-${MAJOR}`);
const CHROMIUM_FLAGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];
const OWNER = {
	email: 'owner@example.com',
	firstName: 'Ada',
	lastName: 'Lovelace',
	password: 'E2e-password-123',
};
const EMAIL = 'browser-e2e@example.com';

const ctx = {};

/** The HubSpot node's resources and, per resource, the action names the node panel lists. */
function expectedActions() {
	const node = packageNodeTypes().find((n) => n.description.name === 'hubSpotSubscriptions');
	assert.ok(node, 'the HubSpot Subscriptions node is not listed in package.json');
	const props = node.description.properties;
	const resources = props.find((p) => p.name === 'resource').options;
	return resources.map((resource) => {
		const operation = props.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource.value),
		);
		return {
			resource: resource.name,
			actions: (operation?.options ?? []).map((o) => o.action ?? o.name),
		};
	});
}

async function shot(name) {
	if (!SHOTS) return;
	mkdirSync(SHOTS, { recursive: true });
	await ctx.page.screenshot({ path: path.join(SHOTS, name) });
}

/** A test whose failure leaves a screenshot and the page's HTML in test-results/. */
function uiTest(name, fn) {
	test(name, async () => {
		try {
			await fn();
		} catch (error) {
			if (ctx.page) {
				const dir = path.join(ROOT, 'test-results', 'browser-failures');
				mkdirSync(dir, { recursive: true });
				const base = path.join(dir, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60));
				await ctx.page.screenshot({ path: `${base}.png` }).catch(() => undefined);
				writeFileSync(`${base}.html`, await ctx.page.content().catch(() => ''));
				error.message += `\n(screenshot: ${path.relative(ROOT, base)}.png)`;
			}
			throw error;
		}
	});
}

before(async () => {
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: run scripts/install-chromium.sh`);
	Object.assign(
		ctx,
		await prepareN8nInstance({ label: `browser-n8n${MAJOR}`, major: MAJOR, node: NODE }),
	);
	ctx.standIn = await startHubSpotStandIn({ rateLimit: false });
	const type = packageCredentialTypes().find((t) => t.name === HUBSPOT_CREDENTIAL_TYPE);
	await importJson(
		MAJOR,
		'credentials',
		[credentialFor(type, { hubspotUrl: ctx.standIn.url })],
		ctx.env,
		{ node: NODE },
	);
	ctx.server = startN8n({
		major: MAJOR,
		env: ctx.env,
		node: NODE,
		logFile: path.join(ctx.userFolder, 'n8n.log'),
	});
	await waitForN8n(ctx.baseUrl, { handle: ctx.server, timeoutMs: 180_000 });

	const { chromium } = require('playwright-core');
	ctx.browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
	});
	ctx.page = await ctx.browser.newPage({ viewport: { width: 1440, height: 1080 } });
	ctx.page.setDefaultTimeout(30_000);
});

after(async () => {
	await ctx.browser?.close();
	await ctx.server?.stop();
	await ctx.standIn?.close();
	if (ctx.userFolder && !KEEP) rmSync(ctx.userFolder, { recursive: true, force: true });
});

describe(`n8n ${MAJOR}.x editor in Chromium`, () => {
	uiTest('the owner setup form signs the owner up', async () => {
		const { page } = ctx;
		await page.goto(`${ctx.baseUrl}/`);
		await page.waitForURL(/\/setup/);
		await page.fill('input[name=email]', OWNER.email);
		await page.fill('input[name=firstName]', OWNER.firstName);
		await page.fill('input[name=lastName]', OWNER.lastName);
		await page.fill('input[name=password]', OWNER.password);
		await page.click('[data-test-id=form-submit-button]');
		await page.waitForURL((url) => !/\/setup/.test(url.pathname));
	});

	uiTest(
		'the node panel finds "HubSpot Subscriptions" and lists its resources and operations',
		async () => {
			const { page } = ctx;
			await page.goto(`${ctx.baseUrl}/workflow/new`);
			await page.click('[data-test-id=canvas-plus-button]');
			await page.locator('[data-test-id=node-creator-search-bar]').waitFor();
			await page.keyboard.type('HubSpot Subscriptions');
			const item = page
				.locator('[data-test-id=node-creator-item-name]', { hasText: /^HubSpot Subscriptions$/ })
				.first();
			await item.waitFor();
			await item.click();
			// The node's page in the panel: triggers n8n suggests, then the actions grouped by resource.
			await page
				.locator('[data-test-id=node-creator-item-name]', { hasText: 'Set a subscription status' })
				.waitFor();
			const triggers = page.locator('[data-test-id=node-creator-category-item]', {
				hasText: /^Triggers/,
			});
			if (await triggers.count()) await triggers.first().click(); // collapse them for the screenshot
			await sleep(300);
			const panelText = await page.locator('[data-test-id=item-iterator-item]').allTextContents();
			const joined = panelText.join('\n');
			for (const { resource, actions } of expectedActions()) {
				assert.ok(
					joined.includes(`${resource} Actions`),
					`no "${resource} Actions" group in the panel:\n${joined}`,
				);
				for (const action of actions)
					assert.ok(joined.includes(action), `no action "${action}" in the panel`);
			}
			// Collapsing the triggers scrolled the panel; show it from its top.
			await page.evaluate(() => {
				for (const el of document.querySelectorAll('*')) if (el.scrollTop > 0) el.scrollTop = 0;
			});
			await sleep(200);
			await shot('node-panel.png');
		},
	);

	uiTest(
		'the subscription-type dropdown loads the sandbox\'s types through the "HubSpot sandbox" credential',
		async () => {
			const { page } = ctx;
			await page
				.locator('[data-test-id=item-iterator-item]', { hasText: 'Set a subscription status' })
				.first()
				.click();
			await page.locator('[data-test-id=parameter-input-email]').waitFor();
			// The only credential of the node's type is chosen by default.
			await page.waitForFunction(
				(name) =>
					[...document.querySelectorAll('input')].some(
						(input) => input.value === name && input.offsetParent !== null,
					),
				HUBSPOT_CREDENTIAL_NAME,
				{ timeout: 10_000 },
			);
			await page.click('[data-test-id=resource-locator-subscriptionType] [data-test-id=rlc-input]');
			await page.locator('[data-test-id=rlc-item]').first().waitFor();
			const names = (await page.locator('[data-test-id=rlc-item]').allTextContents()).map((t) =>
				t.trim(),
			);
			// A write offers the account's active types only: HubSpot refuses writes to an inactive one.
			for (const definition of ctx.standIn.state.definitions) {
				const listed = names.some((n) => n.startsWith(`${definition.name} ·`));
				if (definition.isActive)
					assert.ok(
						listed,
						`active type "${definition.name}" missing from the dropdown: ${names.join(' | ')}`,
					);
				else
					assert.ok(
						!listed,
						`inactive type "${definition.name}" offered for a write: ${names.join(' | ')}`,
					);
			}
			assert.ok(
				ctx.standIn.state.definitions.some((d) => !d.isActive),
				'the sandbox should hold an inactive type for this check',
			);
			const definitionReads = ctx.standIn.requests.filter(
				(r) => r.method === 'GET' && /\/definitions/.test(r.path),
			);
			assert.ok(definitionReads.length > 0, 'the dropdown did not ask the stand-in');
			await shot('subscription-type-dropdown.png');
		},
	);

	uiTest('a status set from the editor lands in HubSpot', async () => {
		const { page } = ctx;
		await page
			.locator('[data-test-id=rlc-item]', { hasText: /^\s*Marketing Information ·/ })
			.first()
			.click();
		await page.fill('[data-test-id=parameter-input-email] input', EMAIL);
		await page.fill(
			'[data-test-id=parameter-input-legalBasisExplanation] textarea',
			'Double opt-in confirmed on the sign-up form, 2026-11-23',
		);
		await page.locator('[data-test-id=parameter-input-email] input').click(); // blur the textarea so the value is committed
		await page.click('[data-test-id=node-execute-button]');
		const deadline = Date.now() + 20_000;
		while (
			Date.now() < deadline &&
			ctx.standIn.state.getStatus(EMAIL, 101)?.status !== 'SUBSCRIBED'
		)
			await sleep(200);
		const status = ctx.standIn.state.getStatus(EMAIL, 101);
		assert.equal(
			status?.status,
			'SUBSCRIBED',
			`no status write from the editor; n8n log:\n${ctx.server.logs().slice(-2000)}`,
		);
		assert.equal(status?.legalBasis, 'CONSENT_WITH_NOTICE');
		await page.locator('[data-test-id=ndv-data-container]', { hasText: EMAIL }).first().waitFor();
		await sleep(500);
		await shot('set-status.png');
		assert.ok(
			ctx.server
				.logs()
				.split('\n')
				.every((l) => !(l.includes(PACKAGE_NAME) && /error/i.test(l))),
			'n8n logged an error about the package',
		);
	});
});
