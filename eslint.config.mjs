// The front end's scripts: native ES modules in the browser (no build step), with the Socket.IO
// client and Chart.js loaded as classic scripts before them.
import globals from "globals";

export default [
  {
    files: ["helpline/static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: "module",
      globals: { ...globals.browser, io: "readonly", Chart: "readonly" },
    },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      "no-undef": "error",
      "no-unused-vars": "error",
      "no-redeclare": "error",
      eqeqeq: ["error", "always"],
    },
  },
];
