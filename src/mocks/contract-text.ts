import avaraContractYaml from '../contract/avara-openapi.yaml?raw';
import { createContractValidator } from '../contract/contract-validator.ts';
import type { ContractValidator } from '../contract/contract-validator.ts';
import { parseAvaraContract } from '../contract/parse-contract.ts';

// The contract arrives as text through Vite's ?raw import (no file system in the browser).

let validator: ContractValidator | undefined;

/** The contract validator for the mocks, compiled on first use and then shared. */
export function mockContractValidator(): ContractValidator {
  validator ??= createContractValidator(parseAvaraContract(avaraContractYaml));
  return validator;
}
