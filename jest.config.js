/** @type {import('jest').Config} */
const path = require('path');

// n8n's own nodes live in test/base-nodes (see its package.json). They bring their own
// copies of n8n-workflow and @n8n/di; map every import to one copy so that n8n-core,
// n8n's nodes and ours share classes and the DI container, as they do inside n8n.
const single = (name) => path.join(__dirname, 'node_modules', name);

module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
	},
	moduleNameMapper: {
		'^n8n-workflow$': single('n8n-workflow'),
		'^@n8n/di$': single('@n8n/di'),
	},
	modulePathIgnorePatterns: ['<rootDir>/dist/'],
	testPathIgnorePatterns: ['/node_modules/', '/base-nodes/'],
	testTimeout: 60000,
	// n8n-core leaves a lazily created handle open after the last test; nothing of ours does
	// (each suite closes its servers), so do not wait for it.
	forceExit: true,
};
