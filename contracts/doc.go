// Package contracts holds footing's shared vocabulary: the protobuf contracts (generated Go under
// gen/go), the Principal carried in a context ([github.com/footingdev/footing/contracts/identity])
// and the one error model ([github.com/footingdev/footing/contracts/errs]). Every other footing
// module may import it; it imports none of them.
package contracts
