package datasets

import (
	"math"
	"math/rand/v2"

	"github.com/cardinaldb/cardinal/catalog"
)

// The shared-key extension of the ecommerce data set
// (EcommerceOptions.SharedKeys; issue 12, class 1): a second fact table on
// shared dimensions, and a many-to-many join on a non-unique composite key
// with hub skew.
//
//	order_items ──product_id──▶ products ◀──product_id── reviews
//	orders ──customer_id──▶ customers ◀──customer_id── reviews
//	customers(city, region) ═══ stores(city, region)      (neither side unique)
//
// Reviews are written for order items, so the products and customers with
// many order items also have many reviews (correlated hubs), at a rate that
// varies by product (a product's reviews are not a fixed share of its
// sales) and by customer segment. Customers and stores are drawn with Zipf
// weights over the same ranked cities of each region, so the big cities hold
// many customers and many stores at once. Some city names exist in two
// regions (Cambridge, Valencia, Portland, ...), so city alone is not the key.
// Everything here draws from its own random stream, after the classic
// tables are complete: with SharedKeys the classic tables' columns hold the
// same values as without.

// Sizes and shape parameters of the extension (chosen to look like a shop
// with a store network and product reviews, not fitted to a real one).
const (
	ecoStores = 300 // stores at scale 1
	// cityZipf and storeCityZipf are the Zipf exponents of customers' and
	// stores' cities within a region (rank 1 is the hub).
	cityZipf      = 1.1
	storeCityZipf = 0.9
	// reviewRateMin..reviewRateMin+reviewRateSpan is the chance an order
	// item is reviewed, drawn per product (squared uniform: most products
	// near the minimum, a few much reviewed).
	reviewRateMin  = 0.03
	reviewRateSpan = 0.20
	// businessReviewFactor scales the review chance of business
	// (non-consumer) customers.
	businessReviewFactor = 0.3
	// maxReviewDelay is the longest wait, in days, between an order and
	// its review.
	maxReviewDelay     = 60
	storeOpenStartYear = 2005
)

// ecoCities are the cities of each region of ecoRegions, hub first.
var ecoCities = [len(ecoRegions)][]string{
	{"New York", "Los Angeles", "Chicago", "Toronto", "Houston", "Mexico City", "Vancouver", "Phoenix", "Portland", "Cambridge", "Victoria", "Alexandria", "Springfield", "Halifax"},
	{"London", "Paris", "Berlin", "Madrid", "Rome", "Amsterdam", "Warsaw", "Vienna", "Valencia", "Cambridge", "Córdoba", "Newcastle", "Porto", "Tallinn"},
	{"Tokyo", "Shanghai", "Mumbai", "Seoul", "Jakarta", "Bangkok", "Manila", "Delhi", "Singapore", "Osaka", "Hyderabad", "Hanoi"},
	{"São Paulo", "Buenos Aires", "Lima", "Bogotá", "Santiago", "Valencia", "Córdoba", "Quito", "Montevideo"},
	{"Sydney", "Melbourne", "Auckland", "Brisbane", "Perth", "Portland", "Victoria", "Newcastle", "Wellington"},
	{"Lagos", "Cairo", "Nairobi", "Johannesburg", "Casablanca", "Alexandria", "Accra", "Newcastle", "Kigali"},
}

// ecoRatingWeight is P(rating = 1..5) of a review of a kept order.
var ecoRatingWeight = [5]float64{5, 7, 13, 30, 45}

// ecommerceSharedSchema is EcommerceSchema with customers.city and the
// reviews and stores tables:
//
//	customers(..., city VARCHAR)
//	reviews(id INT PK, product_id INT, customer_id INT, rating INT,
//	        review_date DATE)
//	stores(id INT PK, city VARCHAR, region VARCHAR, opened DATE,
//	       size_sqm INT)
//
// with foreign keys reviews.product_id -> products.id, reviews.customer_id
// -> customers.id and the many-to-many customers(city, region) ->
// stores(city, region). The classic tables keep their column order.
func ecommerceSharedSchema() *catalog.Schema {
	s := EcommerceSchema()
	col := func(name string, t catalog.Type) catalog.Column { return catalog.Column{Name: name, Type: t} }
	const i, str, d = catalog.TypeInt, catalog.TypeString, catalog.TypeDate
	cust := s.Tables[s.TableIndex("customers")]
	cust.Columns = append(cust.Columns, col("city", str))
	s.Tables = append(s.Tables,
		&catalog.Table{Name: "reviews", PrimaryKey: []string{"id"}, Columns: []catalog.Column{
			col("id", i), col("product_id", i), col("customer_id", i), col("rating", i), col("review_date", d)}},
		&catalog.Table{Name: "stores", PrimaryKey: []string{"id"}, Columns: []catalog.Column{
			col("id", i), col("city", str), col("region", str), col("opened", d), col("size_sqm", i)}},
	)
	s.ForeignKeys = append(s.ForeignKeys,
		catalog.ForeignKey{Table: "reviews", Columns: []string{"product_id"}, RefTable: "products", RefColumns: []string{"id"}},
		catalog.ForeignKey{Table: "reviews", Columns: []string{"customer_id"}, RefTable: "customers", RefColumns: []string{"id"}},
		catalog.ForeignKey{Table: "customers", Columns: []string{"city", "region"}, RefTable: "stores", RefColumns: []string{"city", "region"}},
	)
	return s
}

// genShared fills customers.city, stores and reviews of db (whose classic
// tables are complete), drawing from its own stream seeded by seed.
func genShared(db *DB, seed int64, scale float64, custs []ecoCustomer) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x7368_6172_6564_6b79)) // "sharedky"
	citySamplers := make([]sampler, len(ecoCities))
	storeSamplers := make([]sampler, len(ecoCities))
	for r, cities := range ecoCities {
		cw, sw := make([]float64, len(cities)), make([]float64, len(cities))
		for k := range cities {
			cw[k] = 1 / math.Pow(float64(k+1), cityZipf)
			sw[k] = 1 / math.Pow(float64(k+1), storeCityZipf)
		}
		citySamplers[r], storeSamplers[r] = newSampler(cw), newSampler(sw)
	}

	ct := db.Table("customers")
	city := ct.Cols[ct.Def.ColumnIndex("city")]
	for _, c := range custs {
		city.appendCode(city.Intern(ecoCities[c.region][citySamplers[c.region].draw(rng)]))
	}

	st := db.Table("stores")
	regW := make([]float64, len(ecoRegions))
	for r, reg := range ecoRegions {
		regW[r] = reg.weight * reg.activity
	}
	regions := newSampler(regW)
	openStart := daysFromCivil(storeOpenStartYear, 1, 1)
	openDays := daysFromCivil(eraEndYear+1, 1, 1) - openStart
	sID, sCity, sRegion, sOpened, sSize := st.Cols[0], st.Cols[1], st.Cols[2], st.Cols[3], st.Cols[4]
	for k := range scaled(ecoStores, scale) {
		r := regions.draw(rng)
		rank := storeSamplers[r].draw(rng)
		sID.appendInt(int64(k + 1))
		sCity.appendCode(sCity.Intern(ecoCities[r][rank]))
		sRegion.appendCode(sRegion.Intern(ecoRegions[r].name))
		sOpened.appendInt((openStart + rng.Int64N(openDays)) * secondsPerDay)
		// Flagship stores in the hubs are bigger.
		size := 400 * math.Exp(0.5*rng.NormFloat64()) * (1 + 2/float64(rank+1))
		sSize.appendInt(int64(math.Round(size)))
		st.Rows++
	}

	genReviews(rng, db, custs)
}

// genReviews writes reviews for the order items of db.
func genReviews(rng *rand.Rand, db *DB, custs []ecoCustomer) {
	pt := db.Table("products")
	rate := make([]float64, pt.Rows)
	for p := range rate {
		u := rng.Float64()
		rate[p] = reviewRateMin + reviewRateSpan*u*u
	}
	ot, it, rt := db.Table("orders"), db.Table("order_items"), db.Table("reviews")
	oCust, oDate, oStatus := ot.Cols[1], ot.Cols[2], ot.Cols[3]
	iOrder, iProd := it.Cols[1], it.Cols[2]
	rID, rProd, rCust, rRating, rDate := rt.Cols[0], rt.Cols[1], rt.Cols[2], rt.Cols[3], rt.Cols[4]
	ratings := newSampler(ecoRatingWeight[:])
	for i := range it.Rows {
		o := int(iOrder.Ints[i] - 1)
		status := oStatus.Dict[oStatus.Codes[o]]
		if status == "pending" || status == "cancelled" {
			continue
		}
		p := int(iProd.Ints[i] - 1)
		c := int(oCust.Ints[o] - 1)
		chance := rate[p]
		if ecoSegments[custs[c].segment].name != "consumer" {
			chance *= businessReviewFactor
		}
		if rng.Float64() >= chance {
			continue
		}
		rating := int64(ratings.draw(rng) + 1)
		if status == "returned" {
			rating = 1 + rng.Int64N(2)
		}
		day := floorDiv(oDate.Ints[o], secondsPerDay) + 1 + rng.Int64N(maxReviewDelay)
		rID.appendInt(int64(rt.Rows + 1))
		rProd.appendInt(int64(p + 1))
		rCust.appendInt(int64(c + 1))
		rRating.appendInt(rating)
		rDate.appendInt(day * secondsPerDay)
		rt.Rows++
	}
}
