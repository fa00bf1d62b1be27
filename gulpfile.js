const { src, dest } = require('gulp');

// tsc compiles the TypeScript; n8n also needs each node's and credential's icon next to it.
function buildIcons() {
	return src(['nodes/**/*.{png,svg}', 'credentials/**/*.{png,svg}'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:icons'] = buildIcons;
