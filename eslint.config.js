// What review keeps finding, checked by a machine instead: promises nobody awaits, `any`, `!` where a check
// belongs, unused variables, functions too long to read, and the environment read outside the configuration.
// Types are checked file by file against the nearest tsconfig.json (src/explorer has its own, for the browser).
// Layout is Prettier's job (`npm run format`), not ESLint's; unused exports and files are knip's (knip.jsonc).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'bench/.cache/', 'test-results/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'error',
      // A `let` declared before the closure that reads it, and assigned once after, is not a const in waiting.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Sixty lines is a screen: past it a function does more than one thing. A table (of routes, of
      // transitions) may be longer: say so where it is, in an eslint-disable-next-line comment with the reason.
      'max-lines-per-function': ['warn', { max: 60, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // The environment is read once, typed and validated, in src/config.ts; src/main.ts hands it there.
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts', 'src/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read settings through src/config.ts, which validates them at start.',
        },
      ],
    },
  },
  {
    // The explorer's event listeners (`on: { submit: async … }`) may be async, as in any page: the browser
    // reports a listener's rejection as it reports a throw, and the explorer's tests fail on either.
    files: ['src/explorer/**/*.ts'],
    rules: { '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { properties: false } }] },
  },
  {
    // A declaration file describes a package: what it declares is read by the package's users, not by itself.
    files: ['**/*.d.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // In a test or a bench, `body._links!.self` is itself the assertion: when it is wrong the run fails, loudly.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Plain JavaScript has no types to check against; these are the globals each file may use.
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['bench/lib/usage-reporter.js'], // preloaded into a Node process
    languageOptions: { globals: { process: 'readonly', performance: 'readonly', setInterval: 'readonly' } },
  },
  {
    files: ['test/helpers/hal-explorer-page.js'], // runs in a browser page
    languageOptions: { globals: { fetch: 'readonly', Headers: 'readonly', URL: 'readonly' } },
  },
);
