import assert from "node:assert/strict";
import { test } from "node:test";
import { HearthError } from "./errors.ts";
import { knownOptions, type OptionNames } from "./known-options.ts";

const names: OptionNames = {
  accepted: ["name", "participants", "termination", "maxTurns"],
  aliases: { terminationCondition: "termination" },
  refused: { runtime: "A team runs in the process that calls it." },
};

function failure(options: object): HearthError {
  try {
    knownOptions("Team", options, names);
  } catch (error) {
    assert.ok(HearthError.is(error, "HEARTH_CONFIG_INVALID"), String(error));
    return error;
  }
  assert.fail("knownOptions accepted the options");
}

test("accepted options come back as the same object", () => {
  const options = { participants: [], maxTurns: 3 };
  assert.equal(knownOptions("Team", options, names), options);
});

test("an AutoGen alias is renamed to hearth's option, leaving the caller's object alone", () => {
  const condition = { description: "stop" };
  const options = { participants: [], terminationCondition: condition };
  const resolved = knownOptions("Team", options, names) as Record<string, unknown>;
  assert.deepEqual(resolved, { participants: [], termination: condition });
  assert.equal(resolved.termination, condition);
  assert.ok("terminationCondition" in options);
});

test("an alias given together with hearth's name is an error naming both", () => {
  const error = failure({ termination: {}, terminationCondition: {} });
  assert.equal(error.field, "terminationCondition");
  assert.match(error.message, /"termination" or AutoGen's name for it, "terminationCondition", not both/);
});

test("a refused AutoGen option is an error that says why", () => {
  const error = failure({ name: "crew", runtime: {} });
  assert.equal(error.field, "runtime");
  assert.equal(
    error.message,
    `Team "crew": AutoGen's option "runtime" is not supported. A team runs in the process that calls it.`,
  );
});

test("a typo names the closest accepted option", () => {
  const error = failure({ maxTurn: 3 });
  assert.equal(error.field, "maxTurn");
  assert.equal(error.message, `Team has no option "maxTurn". Did you mean "maxTurns"?`);
});

test("AutoGen's snake_case names point to hearth's camelCase ones", () => {
  assert.match(failure({ max_turns: 3 }).message, /Did you mean "maxTurns"\?/);
  assert.match(
    failure({ termination_condition: {} }).message,
    /Did you mean "termination" \(AutoGen's "terminationCondition"\)\?/,
  );
  assert.match(failure({ run_time: {} }).message, /AutoGen's "runtime" is not supported\. A team runs/);
});

test("a name that starts with an accepted one (or the other way) points to it", () => {
  assert.match(failure({ participantsList: [] }).message, /Did you mean "participants"\?/);
  assert.match(failure({ term: {} }).message, /Did you mean "termination"\?/);
});

test("an unknown option with no close name lists the options there are", () => {
  const error = failure({ colour: "blue" });
  assert.equal(error.field, "colour");
  assert.equal(
    error.message,
    `Team has no option "colour". Its options are: name, participants, termination, maxTurns.`,
  );
});

test("a key set to undefined is still checked: a typo is a typo", () => {
  assert.equal(failure({ maxTurn: undefined }).field, "maxTurn");
});

test("a value that is not an object is left to the constructor's own check", () => {
  assert.equal(knownOptions("Team", undefined, names), undefined);
  assert.equal(knownOptions("Team", null, names), null);
});
