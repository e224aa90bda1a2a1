// The hardhat node claimledger starts (claimledger/clients.py): Hardhat Network on the EDR
// engine, configured like claimledger's embedded anvil. Only `hardhat node` uses it: nothing is
// compiled here (brownie compiles the contracts).
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: "cancun", // the contracts use mcopy/tstore (brownie-config.yaml evm_version)
      blockGasLimit: 1_000_000_000,
      initialBaseFeePerGas: 0,
      gasPrice: 0,
      accounts: {
        mnemonic: "test test test test test test test test test test test junk",
        count: 10,
        accountsBalance: "1000000000000000000000000",
      },
      mining: { auto: true },
    },
  },
  paths: { sources: "./no-sources", cache: "./cache", artifacts: "./artifacts" },
};
