package joinorder

import "math"

// numFeatures is the length of the agent's feature vector φ(query, state,
// action). Index 0 is the constant 1.
const numFeatures = 14

// Feature indices (all computed under the cardinalities and cost model the
// agent plans with; rows and costs enter as log1p).
const (
	fBias       = iota
	fNewCost    // cost of the joined sub-plan
	fForestCost // sum of the costs of every tree after the join
	fNewRows    // rows of the joined sub-plan
	fForestRows // sum of the rows of every tree after the join
	fInputRows  // rows of the two inputs, summed in log space
	fSel        // log selectivity of the join: rows / (left rows × right rows)
	fTreesLeft  // trees left after the join / tables
	fFinalRows  // rows of the whole query
	fTables     // log of the number of tables
	fIndexNL    // 1 when the join is an index nested loop
	fSmaller    // tables of the smaller input / tables
	fLookahead  // fewest rows of any next join of the new tree
	fDegree     // trees the new tree can join next / tables
)

// featureNames name the features in model files and reports.
var featureNames = [numFeatures]string{"bias", "new_cost", "forest_cost", "new_rows", "forest_rows", "input_rows",
	"selectivity", "trees_left", "final_rows", "tables", "index_nl", "smaller_input", "lookahead_rows", "degree"}

// actionFeatures fills phi for joining trees a and b of st into x.
func (r *rollout) actionFeatures(phi []float64, st *agentState, ia, ib int, x entry) {
	a, b := &r.nodes[st.trees[ia]], &r.nodes[st.trees[ib]]
	n := float64(r.pl.g.n)
	newMask := a.mask | b.mask
	// Lookahead and degree: the next joins of the new tree.
	look, deg := math.Inf(1), 0.0
	for k, t := range st.trees {
		if k == ia || k == ib {
			continue
		}
		m := r.nodes[t].mask
		if !r.pl.g.joined(newMask, m) {
			continue
		}
		deg++
		if rows, ok := r.pl.cards.Rows(newMask | m); ok && rows < look {
			look = rows
		}
	}
	if math.IsInf(look, 1) {
		look = x.rows
	}
	small := math.Min(float64(popcount(a.mask)), float64(popcount(b.mask)))
	phi[fBias] = 1
	phi[fNewCost] = math.Log1p(x.cost)
	phi[fForestCost] = math.Log1p(st.sumCost - a.cost - b.cost + x.cost)
	phi[fNewRows] = math.Log1p(x.rows)
	phi[fForestRows] = math.Log1p(math.Max(0, st.sumRows-a.rows-b.rows) + x.rows)
	phi[fInputRows] = math.Log1p(a.rows) + math.Log1p(b.rows)
	phi[fSel] = math.Log1p(x.rows) - math.Log1p(a.rows) - math.Log1p(b.rows)
	phi[fTreesLeft] = float64(len(st.trees)-1) / n
	phi[fFinalRows] = math.Log1p(r.finalRows)
	phi[fTables] = math.Log(n)
	phi[fIndexNL] = 0
	if x.op == OpIndexNL {
		phi[fIndexNL] = 1
	}
	phi[fSmaller] = small / n
	phi[fLookahead] = math.Log1p(look)
	phi[fDegree] = deg / n
}
