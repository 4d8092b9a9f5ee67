// What review keeps finding, checked by a machine instead: promises nobody awaits, `any`, `!` where a check
// belongs, unused variables, functions too long to read, and the environment read outside the configuration.
// Types are checked file by file against the nearest tsconfig.json (src/explorer has its own, for the browser).
// Layout is Prettier's job (`npm run format`), not ESLint's; unused exports and files are knip's (knip.jsonc).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
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
      // An async function with no await is how an implementation meets a Promise-returning interface, and it
      // turns a throw into a rejection, which is what its callers handle.
      '@typescript-eslint/require-await': 'off',
      // A `let` declared before the closure that reads it, and assigned once after, is not a const in waiting.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Sixty lines is a screen: past it a function does more than one thing. A table (of routes, of
      // transitions) may be longer: say so where it is, in an eslint-disable-next-line comment with the reason.
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
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
    // reports a listener's rejection as it reports a throw, and the explorer's tests fail on either. And it
    // shows whatever JSON the API sent as text: String() of a value of unknown shape is the point there.
    files: ['src/explorer/**/*.ts'],
    rules: {
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { properties: false } }],
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // A declaration file describes a package: what it declares is read by the package's users, not by itself.
    files: ['**/*.d.ts'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
  {
    // In a test or a bench, `body._links!.self` is itself the assertion: when it is wrong the run fails, loudly.
    // So is reading a JSON body (`any`) and printing what came back, whatever it is.
    files: ['test/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
    },
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
