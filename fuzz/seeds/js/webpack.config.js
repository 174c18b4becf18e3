module.exports = { devtool: process.env.CI ? false : 'source-map', /* sourcemap: true */ output: { path: __dirname + "/dist" } };
const re = a / b / c; const t = `x${"y"}z`;
