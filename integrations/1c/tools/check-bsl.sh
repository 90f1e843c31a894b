#!/usr/bin/env bash
# Syntax check of the SverkaFeed modules without a 1C platform: the BSL grammar of BSL Language Server
# (1c-syntax/bsl-parser, ANTLR 4) compiled to Java with the ANTLR 4.13 tool that the npm package
# antlr4ng-cli ships as a jar. Needs Java 17 (javac), npm, and a clone of
# https://github.com/1c-syntax/bsl-parser (checked with commit a89b827).
#
#   integrations/1c/tools/check-bsl.sh <path to the bsl-parser clone>
set -euo pipefail
grammar="${1:?usage: check-bsl.sh <path to a clone of 1c-syntax/bsl-parser>}/src/main/antlr"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent antlr4ng-cli@2.0.0 >/dev/null && tar xzf antlr4ng-cli-2.0.0.tgz)
jar="$(ls "$work"/package/antlr4-*-complete.jar)"
cp "$grammar/BSLLexer.g4" "$grammar/BSLParser.g4" "$work/"
(cd "$work" && java -jar "$jar" -Dlanguage=Java -o gen BSLLexer.g4 BSLParser.g4 2>&1 | grep -v 'unsupported option incremental' || true)
javac -nowarn -encoding UTF-8 -cp "$jar" -d "$work/classes" "$work"/gen/*.java "$here/BslSyntaxCheck.java" 2>&1 | grep -v '^Note:' || true
find "$here/../SverkaFeed" -name '*.bsl' -print0 | sort -z | xargs -0 java -cp "$work/classes:$jar" BslSyntaxCheck
