// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IClaimTypes} from "../../interfaces/IClaimTypes.sol";
import {ClaimCodec} from "./ClaimCodec.sol";

/// @title ReviewQueue
/// @notice The lines waiting for a reviewer (A-5), oldest first: every line ever pended in
/// arrival order, and for each line still pending its position + 1. A line leaves by having
/// its position deleted; the log is never reordered.
library ReviewQueue {
    struct Queue {
        IClaimTypes.PendingLine[] log;
        mapping(bytes32 lineKey => uint256) slot;
        uint256 count;
    }

    function push(Queue storage q, bytes32 claimId, uint8 line, bytes32 lineKey) internal {
        q.log.push(IClaimTypes.PendingLine(claimId, line));
        q.slot[lineKey] = q.log.length;
        ++q.count;
    }

    function remove(Queue storage q, bytes32 lineKey) internal {
        delete q.slot[lineKey];
        --q.count;
    }

    /// @notice At most `max` pending lines from log position `cursor`, and where to go on from
    /// (0 once the log is read to its end).
    function page(Queue storage q, uint256 cursor, uint256 max)
        internal
        view
        returns (IClaimTypes.PendingLine[] memory lines, uint256 next)
    {
        uint256 end = q.log.length;
        if (cursor >= end) return (new IClaimTypes.PendingLine[](0), 0);
        if (max == 0) return (new IClaimTypes.PendingLine[](0), cursor); // nothing asked: go on from here
        if (max > end - cursor) max = end - cursor;
        lines = new IClaimTypes.PendingLine[](max);
        uint256 found;
        for (; cursor < end && found < max; ++cursor) {
            IClaimTypes.PendingLine storage entry = q.log[cursor];
            if (q.slot[ClaimCodec.lineKey(entry.claimId, entry.line)] == cursor + 1) lines[found++] = entry;
        }
        assembly ("memory-safe") {
            mstore(lines, found) // the array as long as what was found
        }
        next = cursor < end ? cursor : 0;
    }
}
