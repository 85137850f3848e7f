// Package entry (CommonJS): the compiled TypeScript API in dist/.
module.exports = require('./dist/index.js')
