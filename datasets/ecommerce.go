package datasets

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/cardinaldb/cardinal/catalog"
	"github.com/cardinaldb/cardinal/internal/optcheck"
)

// ErrOptions: an option value out of its documented range.
var ErrOptions = errors.New("invalid options")

// EcommerceOptions configures Ecommerce. The zero value is the default.
type EcommerceOptions struct {
	// Scale multiplies every table size; 0 means 1. Scale 1 is 10,000
	// customers, 2,000 products, 100,000 orders and about 300,000 order
	// items. It must be in (0, MaxEcommerceScale].
	Scale float64
	// Seed seeds the generator; the same Seed and Scale give the same
	// data.
	Seed int64 `opt:"any"`
	// SharedKeys adds customers.city and the reviews and stores tables: a
	// second fact table on the shared customers and products dimensions
	// and a many-to-many join on the non-unique (city, region) with hub
	// cities (see ecommerceSharedSchema). The classic tables hold the same
	// values either way.
	SharedKeys bool
}

// MaxEcommerceScale bounds EcommerceOptions.Scale (30M order items, about
// 1 GB of memory).
const MaxEcommerceScale = 100

// Sizes of the ecommerce data set at scale 1.
const (
	ecoCustomers = 10000
	ecoProducts  = 2000
	ecoOrders    = 100000
)

// Shape parameters of the generator. They are chosen to look like an online
// shop, not fitted to a real one.
const (
	customerZipf = 0.8  // Zipf exponent of customers' order counts
	productZipf  = 1.0  // Zipf exponent of product popularity
	brandZipf    = 1.2  // Zipf exponent of brand choice within a category
	ageNullFrac  = 0.08 // customers without a known age
	discountFrac = 0.35 // products on discount
	priceSigma   = 0.6  // log-normal spread of prices within a category
	bulkPrice    = 30.0 // quantity - 1 ~ Poisson(bulkPrice / price), capped
	maxBulk      = 8.0  // cap of that Poisson mean
	growthPerDay = 0.0004
	// eraStart..eraEnd is the order period; "now" for the status is eraEnd.
	eraStartYear, eraEndYear = 2021, 2024
	signupStartYear          = 2018
)

// Categories: name, weight of products in it, median price, brands.
var ecoCategories = [...]struct {
	name   string
	weight float64
	median float64
	brands []string
}{
	{"electronics", 12, 180, []string{"Voltix", "Nexon", "Quantra", "Sonique", "Pixelon", "Arcwave", "Helix"}},
	{"books", 18, 14, []string{"Inkwell", "Papyrus", "Folio", "Marginalia", "Quarto"}},
	{"clothing", 16, 35, []string{"Threadly", "Northcoat", "Ulmo", "Verve", "Kinsey", "Dunmore"}},
	{"home", 12, 60, []string{"Hearthstone", "Loomis", "Casita", "Brightnest"}},
	{"grocery", 14, 6, []string{"FarmFresh", "Greenleaf", "Pantry Co", "Harvest"}},
	{"toys", 8, 22, []string{"Jumble", "Tinker", "Playvale"}},
	{"sports", 8, 45, []string{"Stridex", "Peakform", "Aquafin", "Ridgeline"}},
	{"beauty", 7, 18, []string{"Lumina", "Velour", "Aurae"}},
	{"jewelry", 2, 250, []string{"Aurelia", "Gemstone & Co"}},
	{"automotive", 3, 40, []string{"Torque", "Roadwise"}},
}

// Regions: name, share of customers, orders per customer relative to 1.
var ecoRegions = [...]struct {
	name     string
	weight   float64
	activity float64
}{
	{"north_america", 30, 1.8},
	{"europe", 25, 1.4},
	{"asia", 25, 0.9},
	{"south_america", 10, 0.6},
	{"oceania", 5, 1.1},
	{"africa", 5, 0.4},
}

// Segments: name, share of customers, item count multiplier.
var ecoSegments = [...]struct {
	name   string
	weight float64
}{{"consumer", 70}, {"small_business", 20}, {"corporate", 10}}

var ecoFirstNames = [...]string{"Ada", "Ben", "Chloe", "Dmitri", "Elena", "Farah", "Gus", "Hana", "Ivan", "Jia",
	"Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Ximena",
	"Yusuf", "Zoe"}

var ecoLastNames = [...]string{"Smith", "Garcia", "Chen", "Kowalski", "Okafor", "Nguyen", "Müller", "Silva", "Kim",
	"Haddad", "Ivanova", "Rossi", "Tanaka", "Dubois", "Singh", "Johansson", "Mbeki", "Lopez", "Novak", "Brown"}

// Seasonality: order volume by month (Jan..Dec) and by weekday
// (Sunday..Saturday), relative.
var (
	ecoMonthWeight   = [12]float64{0.8, 0.75, 0.9, 0.9, 0.95, 0.9, 0.95, 1.0, 0.95, 1.05, 1.6, 2.0}
	ecoWeekdayWeight = [7]float64{0.75, 1.15, 1.1, 1.05, 1.05, 1.0, 0.8}
	ecoHourWeight    = [24]float64{0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 0.9, 1, 1.1, 1.2, 1.3, 1.2, 1.1, 1.1,
		1.2, 1.3, 1.5, 1.8, 2.0, 1.9, 1.4, 0.8}
	// Items per order: P(k items) for k = 1..10, mean 2.72 (plus 0..2 extra
	// lines for business customers: about 3 overall).
	ecoItemsWeight = [10]float64{36, 24, 14, 9, 6, 4, 3, 2, 1, 1}
)

// EcommerceSchema returns the schema of the ecommerce data set:
//
//	customers(id INT PK, name, region, segment VARCHAR, signup_date DATE,
//	          age INT NULL)
//	products(id INT PK, category, brand VARCHAR, price DOUBLE,
//	         discount DOUBLE NULL)
//	orders(id INT PK, customer_id INT, order_date DATETIME, status VARCHAR,
//	       total DOUBLE, shipped_date DATE NULL)
//	order_items(id INT PK, order_id INT, product_id INT, quantity INT,
//	            unit_price DOUBLE)
//
// with foreign keys orders.customer_id -> customers.id, order_items.order_id
// -> orders.id and order_items.product_id -> products.id.
func EcommerceSchema() *catalog.Schema {
	col := func(name string, t catalog.Type, null bool) catalog.Column {
		return catalog.Column{Name: name, Type: t, Nullable: null}
	}
	const (
		i, f, s = catalog.TypeInt, catalog.TypeFloat, catalog.TypeString
		d, dt   = catalog.TypeDate, catalog.TypeDateTime
	)
	return &catalog.Schema{
		Tables: []*catalog.Table{
			{Name: "customers", PrimaryKey: []string{"id"}, Columns: []catalog.Column{
				col("id", i, false), col("name", s, false), col("region", s, false), col("segment", s, false),
				col("signup_date", d, false), col("age", i, true)}},
			{Name: "products", PrimaryKey: []string{"id"}, Columns: []catalog.Column{
				col("id", i, false), col("category", s, false), col("brand", s, false), col("price", f, false),
				col("discount", f, true)}},
			{Name: "orders", PrimaryKey: []string{"id"}, Columns: []catalog.Column{
				col("id", i, false), col("customer_id", i, false), col("order_date", dt, false),
				col("status", s, false), col("total", f, false), col("shipped_date", d, true)}},
			{Name: "order_items", PrimaryKey: []string{"id"}, Columns: []catalog.Column{
				col("id", i, false), col("order_id", i, false), col("product_id", i, false),
				col("quantity", i, false), col("unit_price", f, false)}},
		},
		ForeignKeys: []catalog.ForeignKey{
			{Table: "orders", Columns: []string{"customer_id"}, RefTable: "customers", RefColumns: []string{"id"}},
			{Table: "order_items", Columns: []string{"order_id"}, RefTable: "orders", RefColumns: []string{"id"}},
			{Table: "order_items", Columns: []string{"product_id"}, RefTable: "products", RefColumns: []string{"id"}},
		},
	}
}

// sampler draws indexes with probability proportional to fixed weights by
// binary search over the cumulative weights.
type sampler []float64

func newSampler(weights []float64) sampler {
	cum := make(sampler, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += w
		cum[i] = sum
	}
	return cum
}

func (s sampler) draw(rng *rand.Rand) int {
	u := rng.Float64() * s[len(s)-1]
	i, _ := slices.BinarySearch(s, u)
	return min(i, len(s)-1)
}

// zipfOrder returns Zipf weights 1/rank^exp assigned to n items in a random
// order, so that popularity is not correlated with id.
func zipfOrder(rng *rand.Rand, n int, exp float64) []float64 {
	w := make([]float64, n)
	for i, r := range rng.Perm(n) {
		w[i] = 1 / math.Pow(float64(r+1), exp)
	}
	return w
}

// poisson draws from a Poisson distribution with small mean lambda
// (Knuth's multiplication method).
func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func roundCents(v float64) float64 { return math.Round(v*100) / 100 }

func scaled(base int, scale float64) int { return max(1, int(math.Round(float64(base)*scale))) }

// ecoCustomer holds a customer's attributes until all orders are known.
type ecoCustomer struct {
	region, segment int
	signup          int64 // day number
	firstOrder      int64 // day number of the first order, or MaxInt64
}

// Ecommerce generates a synthetic online-shop database (schema
// EcommerceSchema) with realistic skew and correlation:
//
//   - product popularity and customers' order counts are Zipf-distributed;
//     customers in some regions order much more than in others;
//   - prices are log-normal around a median per category, brands belong to
//     one category, and cheap items are bought in larger quantities;
//   - order dates follow a growth trend with November/December peaks,
//     weekday and time-of-day effects; order ids increase with time and a
//     customer signs up before the first order;
//   - unit_price = price * (1 - discount), total = sum of quantity *
//     unit_price, and status and shipped_date depend on the order's age
//     (recent orders are pending, old ones delivered, a few cancelled or
//     returned; shipped_date is NULL when not shipped);
//   - age (8%) and discount (65%) have NULLs.
//
// The result is deterministic for (Scale, Seed). Scale 10 (3M order
// items) takes a few seconds.
func Ecommerce(ctx context.Context, opts EcommerceOptions) (*DB, error) {
	if err := optcheck.Struct(ErrOptions, "EcommerceOptions", opts); err != nil {
		return nil, fmt.Errorf("datasets: %w", err)
	}
	scale := opts.Scale
	if scale == 0 {
		scale = 1
	}
	if !(scale > 0 && scale <= MaxEcommerceScale) {
		return nil, fmt.Errorf("datasets: %w: Scale %v not in (0, %d]", ErrOptions, opts.Scale, MaxEcommerceScale)
	}
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 0x6563_6f6d_6d65_7263)) // "ecommerc"
	schema := EcommerceSchema()
	if opts.SharedKeys {
		schema = ecommerceSharedSchema()
	}
	db := NewDB(schema)
	nCust, nProd, nOrd := scaled(ecoCustomers, scale), scaled(ecoProducts, scale), scaled(ecoOrders, scale)

	prices := genProducts(rng, db.Table("products"), nProd)
	custs, custWeights := genCustomers(rng, nCust)
	if err := genOrders(ctx, rng, db, nOrd, custs, custWeights, prices); err != nil {
		return nil, err
	}
	fillCustomers(rng, db.Table("customers"), custs)
	if opts.SharedKeys {
		genShared(db, opts.Seed, scale, custs)
	}
	return db, nil
}

// genProducts fills the products table and returns each product's
// discounted price.
func genProducts(rng *rand.Rand, t *Table, n int) []float64 {
	catWeights := make([]float64, len(ecoCategories))
	brandSamplers := make([]sampler, len(ecoCategories))
	for i, c := range ecoCategories {
		catWeights[i] = c.weight
		w := make([]float64, len(c.brands))
		for b := range w {
			w[b] = 1 / math.Pow(float64(b+1), brandZipf)
		}
		brandSamplers[i] = newSampler(w)
	}
	cats := newSampler(catWeights)
	discounts := newSampler([]float64{30, 25, 15, 15, 8, 7}) // 5%,10%,15%,20%,30%,50%
	discountValues := []float64{0.05, 0.10, 0.15, 0.20, 0.30, 0.50}
	id, cat, brand, price, disc := t.Cols[0], t.Cols[1], t.Cols[2], t.Cols[3], t.Cols[4]
	unit := make([]float64, n)
	for p := range n {
		c := cats.draw(rng)
		b := brandSamplers[c].draw(rng)
		// The first brands of a category are premium (up to 1.5x).
		premium := 1 + 0.5/float64(b+1)
		pr := ecoCategories[c].median * premium * math.Exp(priceSigma*rng.NormFloat64())
		pr = math.Max(1, math.Floor(pr)) - 0.01 // x.99 pricing
		id.appendInt(int64(p + 1))
		cat.appendCode(cat.Intern(ecoCategories[c].name))
		brand.appendCode(brand.Intern(ecoCategories[c].brands[b]))
		price.appendFloat(pr)
		unit[p] = pr
		if rng.Float64() < discountFrac {
			d := discountValues[discounts.draw(rng)]
			disc.appendFloat(d)
			unit[p] = roundCents(pr * (1 - d))
		} else {
			disc.appendNull()
		}
		t.Rows++
	}
	return unit
}

// genCustomers draws customer attributes and their order weights.
func genCustomers(rng *rand.Rand, n int) ([]ecoCustomer, []float64) {
	regW := make([]float64, len(ecoRegions))
	for i, r := range ecoRegions {
		regW[i] = r.weight
	}
	segW := make([]float64, len(ecoSegments))
	for i, s := range ecoSegments {
		segW[i] = s.weight
	}
	regions, segments := newSampler(regW), newSampler(segW)
	signupStart := daysFromCivil(signupStartYear, 1, 1)
	signupDays := daysFromCivil(eraEndYear+1, 1, 1) - signupStart
	custs := make([]ecoCustomer, n)
	weights := zipfOrder(rng, n, customerZipf)
	for i := range custs {
		c := &custs[i]
		c.region = regions.draw(rng)
		c.segment = segments.draw(rng)
		c.signup = signupStart + rng.Int64N(signupDays)
		c.firstOrder = math.MaxInt64
		weights[i] *= ecoRegions[c.region].activity
	}
	return custs, weights
}

// fillCustomers appends the customers (after the orders, so that signup
// dates can precede first orders).
func fillCustomers(rng *rand.Rand, t *Table, custs []ecoCustomer) {
	id, name, region, segment, signup, age := t.Cols[0], t.Cols[1], t.Cols[2], t.Cols[3], t.Cols[4], t.Cols[5]
	for i, c := range custs {
		id.appendInt(int64(i + 1))
		first := ecoFirstNames[rng.IntN(len(ecoFirstNames))]
		last := ecoLastNames[rng.IntN(len(ecoLastNames))]
		name.appendCode(name.Intern(first + " " + last))
		region.appendCode(region.Intern(ecoRegions[c.region].name))
		segment.appendCode(segment.Intern(ecoSegments[c.segment].name))
		day := c.signup
		if c.firstOrder < day {
			day = c.firstOrder - rng.Int64N(60)
		}
		signup.appendInt(day * secondsPerDay)
		if rng.Float64() < ageNullFrac {
			age.appendNull()
		} else {
			a := math.Round(38 + 12*rng.NormFloat64())
			age.appendInt(int64(min(90, max(18, a))))
		}
		t.Rows++
	}
}

// genOrders fills orders and order_items.
func genOrders(ctx context.Context, rng *rand.Rand, db *DB, n int, custs []ecoCustomer, custWeights []float64, unit []float64) error {
	start, end := daysFromCivil(eraStartYear, 1, 1), daysFromCivil(eraEndYear+1, 1, 1)
	dayW := make([]float64, end-start)
	for d := range dayW {
		day := start + int64(d)
		_, m, _ := civilFromDays(day)
		dayW[d] = ecoMonthWeight[m-1] * ecoWeekdayWeight[dayOfWeek(day)-1] * (1 + growthPerDay*float64(d))
	}
	days, hours := newSampler(dayW), newSampler(ecoHourWeight[:])
	dates := make([]int64, n)
	for i := range dates {
		day := start + int64(days.draw(rng))
		dates[i] = day*secondsPerDay + int64(hours.draw(rng))*3600 + rng.Int64N(3600)
	}
	slices.Sort(dates) // ids increase with time

	customers := newSampler(custWeights)
	products := newSampler(zipfOrder(rng, len(unit), productZipf))
	items := newSampler(ecoItemsWeight[:])
	ot, it := db.Table("orders"), db.Table("order_items")
	oID, oCust, oDate, oStatus, oTotal, oShip := ot.Cols[0], ot.Cols[1], ot.Cols[2], ot.Cols[3], ot.Cols[4], ot.Cols[5]
	iID, iOrder, iProd, iQty, iPrice := it.Cols[0], it.Cols[1], it.Cols[2], it.Cols[3], it.Cols[4]
	capItems := n * 3
	for _, c := range it.Cols {
		switch c.Type {
		case catalog.TypeFloat:
			c.Floats = make([]float64, 0, capItems)
		default:
			c.Ints = make([]int64, 0, capItems)
		}
	}
	itemID := int64(0)
	for o, date := range dates {
		if o%csvCheckEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c := customers.draw(rng)
		day := floorDiv(date, secondsPerDay)
		custs[c].firstOrder = min(custs[c].firstOrder, day)
		k := items.draw(rng) + 1
		if ecoSegments[custs[c].segment].name != "consumer" {
			k += rng.IntN(3) // businesses buy more lines
		}
		total := 0.0
		for range k {
			p := products.draw(rng)
			q := 1 + poisson(rng, math.Min(maxBulk, bulkPrice/unit[p]))
			itemID++
			iID.appendInt(itemID)
			iOrder.appendInt(int64(o + 1))
			iProd.appendInt(int64(p + 1))
			iQty.appendInt(int64(q))
			iPrice.appendFloat(unit[p])
			total += float64(q) * unit[p]
			it.Rows++
		}
		status, ship := orderStatus(rng, end-day)
		oID.appendInt(int64(o + 1))
		oCust.appendInt(int64(c + 1))
		oDate.appendInt(date)
		oStatus.appendCode(oStatus.Intern(status))
		oTotal.appendFloat(roundCents(total))
		if ship < 0 {
			oShip.appendNull()
		} else {
			oShip.appendInt((day + ship) * secondsPerDay)
		}
		ot.Rows++
	}
	return nil
}

// orderStatus picks the status of an order placed age days before the end
// of the period, and the days until shipping (-1: not shipped).
func orderStatus(rng *rand.Rand, age int64) (string, int64) {
	u := rng.Float64()
	shipDays := 1 + int64(poisson(rng, 1.5))
	switch {
	case age <= 2:
		if u < 0.6 {
			return "pending", -1
		}
		if u < 0.95 {
			return "processing", -1
		}
		return "cancelled", -1
	case age <= 10:
		switch {
		case u < 0.03:
			return "cancelled", -1
		case u < 0.13 || shipDays >= age:
			return "processing", -1
		}
		return "shipped", shipDays
	}
	switch {
	case u < 0.04:
		return "cancelled", -1
	case u < 0.09:
		return "returned", shipDays
	}
	return "delivered", shipDays
}
