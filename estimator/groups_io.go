package estimator

import (
	"context"
	"fmt"
	"math"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/bincodec"
)

// The learned group model travels with the row model it corrects: the
// model file's groups section (modelfile.go, version 6) holds it, empty
// when the model has none.
//
//	groups section: uvarint groupPayloadVersion, uvarint features
//	                (gfFeatures), float64 base, trees (writeTrees),
//	                float64 band low, float64 band high
//
// Train attaches one to a learned model when its examples carry at least
// minGroupExamples group labels; TrainGroups attaches one to a model
// already trained; Groups returns the group estimator of a model.

const (
	// groupPayloadVersion is the version of the groups section's
	// encoding (its features are gfFeatures).
	groupPayloadVersion = 2
	// minGroupExamples is the fewest grouped examples Train trains a
	// group model on (fewer: the model estimates groups with the
	// distinct-value baseline).
	minGroupExamples = 50
)

// groupSlot holds the learned group model of a row model (embedded in the
// learned kinds).
type groupSlot struct{ groups *GroupModel }

func (s *groupSlot) groupModel() *GroupModel     { return s.groups }
func (s *groupSlot) setGroupModel(g *GroupModel) { s.groups = g }

// groupHolder is a model that can carry a group model.
type groupHolder interface {
	groupModel() *GroupModel
	setGroupModel(*GroupModel)
}

// Groups returns the group-count estimator of m: the learned group model
// saved with it (trained by Train or TrainGroups), else the distinct-value
// baseline over m's row estimates.
func Groups(m Model) GroupEstimator {
	if h, ok := m.(groupHolder); ok && h.groupModel() != nil {
		return h.groupModel()
	}
	return NewDistinctGroups(CatalogOf(m), m)
}

// TrainGroups trains the learned group model over m's row estimates on
// the examples that carry a group label and attaches it to m, so that
// Groups(m) and m's model file use it. A model kind that cannot carry one
// (the baselines) is ErrKind; no grouped example is ErrNoExamples.
func TrainGroups(ctx context.Context, m Model, ex []Example, opts GBDTOptions) error {
	h, ok := m.(groupHolder)
	cat := CatalogOf(m)
	if !ok || cat == nil {
		return fmt.Errorf("%w: %T carries no group model", ErrKind, m)
	}
	g, err := TrainGroupModel(ctx, cat, m, GroupExamples(ex), opts)
	if err != nil {
		return err
	}
	h.setGroupModel(g)
	return nil
}

// trainGroupsIfLabelled is Train's step after a learned kind: a group
// model when the examples hold enough group labels.
func trainGroupsIfLabelled(ctx context.Context, m Model, ex []Example, opts GBDTOptions) error {
	if _, ok := m.(groupHolder); !ok || len(GroupExamples(ex)) < minGroupExamples {
		return nil
	}
	opts.Progress = nil
	return TrainGroups(ctx, m, ex, opts)
}

// groupsSection is the model file's groups section of m (nil when m has
// no group model).
func groupsSection(m Model) []byte {
	h, ok := m.(groupHolder)
	if !ok || h.groupModel() == nil {
		return nil
	}
	g := h.groupModel()
	var w bincodec.Encoder
	w.Uvarint(groupPayloadVersion)
	w.Uvarint(uint64(g.ens.nfeat))
	w.F64(g.ens.base)
	writeTrees(&w, g.ens)
	w.F64(g.lo)
	w.F64(g.hi)
	return w.B
}

// loadGroupsSection reads a groups section and attaches the group model
// to m (the row model loaded from the same file, over cat).
func loadGroupsSection(b []byte, m Model, cat *catalog.Catalog) error {
	h, ok := m.(groupHolder)
	if !ok {
		return fmt.Errorf("%w: a groups section with a %T model", ErrCorrupt, m)
	}
	r := bincodec.NewDecoder(b, "groups")
	v := r.Count("groups version", math.MaxInt32, 0)
	if r.Err() == nil && v != groupPayloadVersion {
		return fmt.Errorf("%w: groups section version %d (this build reads %d; version 1 corrected the distinct-value baseline before joins counted their groups on the sample join: retrain the model)", ErrVersion, v, groupPayloadVersion)
	}
	ens := &ensemble{nfeat: r.Count("group features", maxFeatures, 0)}
	if r.Err() == nil && ens.nfeat != gfFeatures {
		r.Fail("groups section of %d features, the encoding of version %d has %d", ens.nfeat, v, gfFeatures)
	}
	ens.base = r.Finite("base")
	readTrees(r, ens)
	lo, hi := r.Finite("band low"), r.Finite("band high")
	if r.Err() == nil && !(lo <= hi) {
		r.Fail("group band low %v above high %v", lo, hi)
	}
	if r.Err() == nil && r.Left() != 0 {
		r.Fail("%d trailing bytes", r.Left())
	}
	if err := r.Err(); err != nil {
		return err
	}
	ens.compile()
	h.setGroupModel(&GroupModel{base: NewDistinctGroups(cat, m), ens: ens, lo: lo, hi: hi})
	return nil
}
