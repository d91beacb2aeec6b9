package dbtest_test

import (
	"os"
	"testing"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/meetboard/meetboard/models/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }

func open(t *testing.T, dsn string) *gorm.DB {
	t.Helper()
	db, err := gorm.Open(postgres.Open(dsn), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("gorm.Open: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sqlDB.Close() })
	return db
}

type note struct {
	ID   uint
	Text string
}

func TestPostgresDSNCreateInsertRead(t *testing.T) {
	db := open(t, dbtest.PostgresDSN(t))

	if err := db.AutoMigrate(&note{}); err != nil {
		t.Fatalf("AutoMigrate: %v", err)
	}
	if err := db.Create(&note{Text: "hello"}).Error; err != nil {
		t.Fatalf("Create: %v", err)
	}
	var got note
	if err := db.First(&got).Error; err != nil {
		t.Fatalf("First: %v", err)
	}
	if got.ID == 0 || got.Text != "hello" {
		t.Fatalf("read back %+v, want a row with Text %q", got, "hello")
	}
}

func TestPostgresDSNDifferentDatabases(t *testing.T) {
	dsn1, dsn2 := dbtest.PostgresDSN(t), dbtest.PostgresDSN(t)
	if dsn1 == dsn2 {
		t.Fatalf("both calls returned %s", dsn1)
	}
	db1, db2 := open(t, dsn1), open(t, dsn2)

	var name1, name2 string
	db1.Raw("SELECT current_database()").Scan(&name1)
	db2.Raw("SELECT current_database()").Scan(&name2)
	if name1 == "" || name1 == name2 {
		t.Fatalf("current_database() = %q and %q, want two different names", name1, name2)
	}

	// A table created in one database is not visible in the other.
	if err := db1.AutoMigrate(&note{}); err != nil {
		t.Fatalf("AutoMigrate: %v", err)
	}
	if db2.Migrator().HasTable(&note{}) {
		t.Fatal("table created in the first database is visible in the second")
	}
}

func TestPostgresDSNSkipsWhenDisabled(t *testing.T) {
	t.Setenv("DASHBOARD_TEST_NO_POSTGRES", "1")
	var skipped bool
	t.Run("disabled", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		dbtest.PostgresDSN(t)
		t.Error("PostgresDSN returned a DSN instead of skipping")
	})
	if !skipped {
		t.Fatal("PostgresDSN did not skip with DASHBOARD_TEST_NO_POSTGRES=1")
	}
}
