// ESLint for ui/js: plain ES modules that run as they are in the app's web view (no build step),
// so the browser's globals and nothing else. The recommended rules, plus a few that catch bugs.
// Run through scripts/check-ui.sh.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["**/*.js"],
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      globals: { ...globals.browser },
    },
    linterOptions: {
      reportUnusedDisableDirectives: "error",
    },
    rules: {
      // Unused imports, variables, arguments after the last used one, and caught errors.
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "all", ignoreRestSiblings: true }],
      // `x == null` (null or undefined) is the one loose comparison the code uses on purpose.
      eqeqeq: ["error", "always", { null: "ignore" }],
      "array-callback-return": "error",
      "no-duplicate-imports": "error",
      "no-promise-executor-return": "error",
      "no-self-compare": "error",
      "no-template-curly-in-string": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "no-useless-assignment": "error",
    },
  },
];
