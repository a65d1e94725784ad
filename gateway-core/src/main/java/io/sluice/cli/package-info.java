/** The {@code sluice} command line: run, validate, routes, explain, demo. */
package io.sluice.cli;
