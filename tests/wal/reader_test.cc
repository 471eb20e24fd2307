// ReadRecords and ReadAll over many records and many files: the read buffer
// shared across files, the positions handed to the visitor, and ReadAll's
// reservation of its entry vector (which only starts after a few thousand
// entries, so the small WALs of the other tests never reach it).
#include "wal/reader.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fs/path.h"
#include "tests/wal/wal_test_env.h"
#include "wal/names.h"
#include "wal/wal.h"

namespace walsim::wal {
namespace {

class ReaderTest : public ::testing::Test {
 protected:
  // Writes entries 1..entry_count of entry_bytes each (entry i filled with
  // the byte i % 251), in batches, into segments of segment_size_bytes.
  void Write(uint64_t entry_count, size_t entry_bytes, uint64_t segment_size_bytes) {
    WalOptions options;
    options.no_sync = true;
    options.segment_size_bytes = segment_size_bytes;
    auto wal = Wal::Create(env_.fs(), dir_, "meta", options);
    ASSERT_TRUE(wal.ok()) << wal.status().ToString();
    std::vector<Entry> batch;
    for (uint64_t index = 1; index <= entry_count; index++) {
      batch.push_back(Entry{1, index, EntryType::kNormal,
                            std::string(entry_bytes, static_cast<char>(index % 251))});
      if (batch.size() == 64 || index == entry_count) {
        ASSERT_TRUE((*wal)->Save(HardState{1, 0, index}, batch).ok());
        batch.clear();
      }
    }
    ASSERT_TRUE((*wal)->Close().ok());
  }

  Result<ReadAllResult> ReadAll() {
    WALSIM_ASSIGN_OR_RETURN(auto wal, Wal::OpenForRead(env_.fs(), dir_, {}, WalOptions{}));
    return wal->ReadAll();
  }

  static void ExpectEntries(const ReadAllResult& result, uint64_t entry_count, size_t entry_bytes) {
    ASSERT_EQ(result.entries.size(), entry_count);
    for (uint64_t i = 0; i < entry_count; i++) {
      const Entry& entry = result.entries[i];
      ASSERT_EQ(entry.index, i + 1);
      ASSERT_EQ(entry.data, std::string(entry_bytes, static_cast<char>((i + 1) % 251)));
    }
    EXPECT_EQ(result.hard_state.commit, entry_count);
  }

  testing::PosixEnv env_;
  std::string dir_ = fs::Join(env_.Root(), "wal");
};

TEST_F(ReaderTest, ManyEntriesAcrossManySegmentsAreReadInOrder) {
  // 20000 x 100 B in 256 KiB segments: about ten files, past the point
  // where ReadAll reserves its vector from the density it has seen.
  Write(20000, 100, 256 << 10);
  auto names = ListSegments(env_.fs(), dir_, nullptr);
  ASSERT_TRUE(names.ok());
  EXPECT_GE(names->size(), 8u);
  auto result = ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectEntries(*result, 20000, 100);
  EXPECT_EQ(result->metadata, "meta");
}

TEST_F(ReaderTest, ManyEntriesInOneLargeSegmentAreReadInOrder) {
  // One preallocated 64 MB segment mostly of zeros: the density estimate
  // runs high, and the reservation is capped rather than sized to the file.
  Write(10000, 16, kSegmentSizeBytesDefault);
  auto result = ReadAll();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ExpectEntries(*result, 10000, 16);
  EXPECT_LE(result->entries.capacity(), 8u * 10000u);
}

TEST_F(ReaderTest, VisitorSeesEachFilesSizeAndTheBytesBeforeIt) {
  Write(3000, 100, 64 << 10);
  auto names = ListSegments(env_.fs(), dir_, nullptr);
  ASSERT_TRUE(names.ok());
  std::vector<std::unique_ptr<fs::File>> handles;
  std::vector<ReadFile> files;
  std::vector<uint64_t> sizes;
  for (const SegmentName& name : *names) {
    const std::string path = fs::Join(dir_, name.name);
    auto file = env_.fs().Open(path, {.read_only = true});
    ASSERT_TRUE(file.ok());
    auto size = (*file)->Size();
    ASSERT_TRUE(size.ok());
    sizes.push_back(*size);
    files.push_back(ReadFile{file->get(), path});
    handles.push_back(std::move(file).value());
  }
  ASSERT_GE(files.size(), 3u);
  uint64_t record_count = 0;
  ReadEnd end;
  Status read = ReadRecords(
      files, DecoderOptions{},
      [&](const RecordView&, const RecordPosition& position) {
        uint64_t earlier_bytes = 0;
        for (size_t i = 0; i < position.file_position; i++) earlier_bytes += sizes[i];
        EXPECT_EQ(position.file_size_bytes, sizes[position.file_position]);
        EXPECT_EQ(position.earlier_files_bytes, earlier_bytes);
        EXPECT_LT(position.offset, position.file_size_bytes);
        record_count++;
        return Status::Ok();
      },
      &end);
  ASSERT_TRUE(read.ok()) << read.ToString();
  EXPECT_FALSE(end.torn);
  EXPECT_GT(record_count, 3000u);
}

}  // namespace
}  // namespace walsim::wal
