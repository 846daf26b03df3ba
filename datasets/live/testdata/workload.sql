-- A small workload over the flights data set.
SELECT COUNT(*) FROM flights WHERE delay > 60;

/* Long-haul flights out of one airport; the ';' in the literal stays. */
SELECT f.id, a.name
  FROM flights f
  JOIN airports a ON a.iata = f.destination
 WHERE f.origin = 'SFO' AND a.name <> 'x;y'
   AND f.distance BETWEEN 1000 AND 3000;

UPDATE flights SET delay = 0 WHERE id = 1;
SELECT * FROM airports WHERE state IN ('CA', 'NV') AND city LIKE 'San%'
